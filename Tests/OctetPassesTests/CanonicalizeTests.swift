import OctetCPU
import OctetIR
import OctetPasses
import OctetTestSupport
import Testing

@Suite("Canonicalize")
struct CanonicalizeTests {
    /// A small exported-style model: BN parameters as Constant nodes, a flatten by shape arithmetic, a dead branch.
    static func exported() -> Graph {
        var v = SeededValues(seed: 5)
        var nodes: [Node] = []
        var initializers: [String: Tensor] = ["w": v.tensor([4, 3, 3, 3]), "fc": v.tensor([5, 36])]
        for (name, offset) in [("gamma", Float(1.5)), ("beta", 0), ("mean", 0), ("var", 2)] {
            nodes.append(Node(name: name, op: .constant(v.tensor([4], offset: offset)), inputs: [], outputs: [name]))
        }
        nodes += [
            Node(name: "conv", op: .conv(ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1])), inputs: ["x", "w"], outputs: ["c"]),
            Node(name: "bn", op: .batchNormalization(epsilon: 1e-5), inputs: ["c", "gamma", "beta", "mean", "var"], outputs: ["b"]),
            Node(name: "relu", op: .unary(.relu), inputs: ["b"], outputs: ["r"]),
            Node(name: "shape", op: .shape(start: 0, end: nil), inputs: ["r"], outputs: ["s"]),
            Node(name: "n", op: .gather(axis: 0), inputs: ["s", "zero"], outputs: ["n"]),
            Node(name: "n1", op: .unsqueeze, inputs: ["n", "axes"], outputs: ["n1"]),
            Node(name: "target", op: .concat(axis: 0), inputs: ["n1", "minusOne"], outputs: ["t"]),
            Node(name: "flat", op: .reshape(allowZero: false), inputs: ["r", "t"], outputs: ["f"]),
            Node(name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fc"], outputs: ["y"]),
            Node(name: "dead", op: .unary(.relu), inputs: ["c"], outputs: ["unused"]),
        ]
        initializers["zero"] = Tensor(shape: [], int64s: [0])
        initializers["axes"] = Tensor(shape: [1], int64s: [0])
        initializers["minusOne"] = Tensor(shape: [1], int64s: [-1])
        initializers["orphan"] = Tensor.scalar(0)
        return Graph(name: "exported", inputs: [ValueInfo(name: "x", dtype: .f32, shape: [2, 3, 6, 6].map(Dim.fixed))],
                     outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)], nodes: nodes, initializers: initializers)
    }

    @Test func foldsEverythingFoldableAndKeepsTheOutput() throws {
        let g = Self.exported()
        let canonical = try Canonicalize(evaluator: CPUBackend(threads: 1)).run(g)
        #expect(canonical.nodes.map(\.op.onnxName) == ["Conv", "Relu", "Reshape", "Gemm"])
        #expect(canonical.initializers["t"] == Tensor(shape: [2], int64s: [2, -1]))
        #expect(canonical.initializers["orphan"] == nil)
        #expect(canonical.outputs[0].shape == [.fixed(2), .fixed(5)])
        try canonical.verify()
        var v = SeededValues(seed: 9)
        let x = v.tensor([2, 3, 6, 6])
        let before = try #require(try interpret(g, inputs: ["x": x])["y"])
        let after = try #require(try interpret(canonical, inputs: ["x": x])["y"])
        #expect(relativeError(after, before) <= Tolerance.foldingRelative)
    }

    @Test func isIdempotent() throws {
        let pass = Canonicalize(evaluator: CPUBackend(threads: 1))
        let once = try pass.run(Self.exported())
        #expect(try pass.run(once) == once)
    }
}
