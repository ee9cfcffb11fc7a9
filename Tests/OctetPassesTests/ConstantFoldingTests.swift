import OctetCPU
import OctetIR
import OctetPasses
import OctetTestSupport
import Testing

@Suite("Constant folding")
struct ConstantFoldingTests {
    /// x → flatten by `Shape → Gather → Unsqueeze → Concat([n, -1]) → Reshape`, as PyTorch exports `x.view(x.size(0), -1)`.
    static func flattenChain(batch: Dim) -> Graph {
        Graph(name: "flatten",
              inputs: [ValueInfo(name: "x", dtype: .f32, shape: [batch, .fixed(8), .fixed(3), .fixed(3)])],
              outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)],
              nodes: [Node(name: "shape", op: .shape(start: 0, end: nil), inputs: ["x"], outputs: ["s"]),
                      Node(name: "batch", op: .gather(axis: 0), inputs: ["s", "zero"], outputs: ["n"]),
                      Node(name: "channels", op: .gather(axis: 0), inputs: ["s", "one"], outputs: ["c"]),
                      Node(name: "unsq", op: .unsqueeze, inputs: ["n", "axes"], outputs: ["n1"]),
                      Node(name: "cat", op: .concat(axis: 0), inputs: ["n1", "minusOne"], outputs: ["target"]),
                      Node(name: "flat", op: .reshape(allowZero: false), inputs: ["x", "target"], outputs: ["y"]),
                      Node(name: "unused", op: .identity, inputs: ["c"], outputs: ["c2"])],
              initializers: ["zero": Tensor(shape: [], int64s: [0]), "one": Tensor(shape: [], int64s: [1]),
                             "axes": Tensor(shape: [1], int64s: [0]), "minusOne": Tensor(shape: [1], int64s: [-1])])
    }

    @Test func shapeChainFoldsToAConstantReshapeShape() throws {
        let g = Self.flattenChain(batch: .fixed(2))
        let folded = try ConstantFolding(evaluator: CPUBackend(threads: 1)).run(g)
        #expect(folded.nodes.map(\.name) == ["flat"])
        let target = try #require(folded.initializers["target"])
        #expect(target == Tensor(shape: [2], int64s: [2, -1]))
        #expect(folded.initializers["c2"] == Tensor(shape: [], int64s: [8]))
        var values = SeededValues(seed: 1)
        let x = values.tensor([2, 8, 3, 3])
        #expect(try interpret(folded, inputs: ["x": x]) == interpret(g, inputs: ["x": x]))
        #expect(try folded.inferringShapes().valueInfo["y"]?.shape == [.fixed(2), .fixed(72)])
    }

    @Test func withANamedBatchOnlyTheStaticPartsFold() throws {
        let folded = try ConstantFolding(evaluator: CPUBackend(threads: 1)).run(Self.flattenChain(batch: .symbolic("N")))
        // The batch size is known only at run time; the channel count is not.
        #expect(folded.nodes.map(\.name) == ["shape", "batch", "unsq", "cat", "flat"])
        #expect(folded.initializers["c2"] == Tensor(shape: [], int64s: [8]))
        #expect(try folded.inferringShapes().valueInfo["y"]?.shape == [.symbolic("N"), .fixed(72)])
    }

    /// w is stored transposed and a Transpose node undoes it at run time: fold it once.
    static func transposedWeight() -> Graph {
        var values = SeededValues(seed: 2)
        return Graph(name: "t",
                     inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(2), .fixed(4)])],
                     outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)],
                     nodes: [Node(name: "k", op: .constant(Tensor.scalar(0.5)), inputs: [], outputs: ["half"]),
                             Node(name: "wt", op: .transpose(perm: [1, 0]), inputs: ["w"], outputs: ["w_t"]),
                             Node(name: "scaled", op: .binary(.mul), inputs: ["w_t", "half"], outputs: ["w_s"]),
                             Node(name: "fc", op: .gemm(GemmAttributes()), inputs: ["x", "w_s"], outputs: ["y"])],
                     initializers: ["w": values.tensor([3, 4])])
    }

    @Test func initializerOnlyNodesAreEvaluatedOnce() throws {
        let g = Self.transposedWeight()
        let folded = try ConstantFolding(evaluator: CPUBackend(threads: 1)).run(g)
        #expect(folded.nodes.map(\.name) == ["fc"])
        let w = try #require(g.initializers["w"]).floatValues()
        let ws = try #require(folded.initializers["w_s"])
        #expect(ws.shape == [4, 3])
        // w_s[i][j] = w[j][i] / 2, row-major over [4, 3].
        let expected: [Float] = (0..<12).map { (k: Int) -> Float in w[(k % 3) * 4 + k / 3] * 0.5 }
        #expect(ws.floatValues() == expected)
        #expect(folded.initializers["half"] == Tensor.scalar(0.5))
    }

    @Test func tensorsAboveTheCapStayComputed() throws {
        let folded = try ConstantFolding(evaluator: CPUBackend(threads: 1), maxElements: 11).run(Self.transposedWeight())
        #expect(folded.nodes.map(\.name) == ["wt", "scaled", "fc"])
        #expect(folded.initializers["half"] == .scalar(0.5))  // a Constant is not computed, it only moves
    }

    @Test func nodesTheEvaluatorRefusesStay() throws {
        let folded = try ConstantFolding(evaluator: RefusingEvaluator()).run(Self.transposedWeight())
        #expect(folded.nodes.map(\.name) == ["wt", "scaled", "fc"])
        #expect(folded.initializers["half"] == Tensor.scalar(0.5))
    }

    @Test func quantizationNodesAndGraphOutputsStay() throws {
        let g = Graph(name: "q",
                      inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(4)])],
                      outputs: [ValueInfo(name: "y", dtype: nil, shape: nil), ValueInfo(name: "k", dtype: nil, shape: nil)],
                      nodes: [Node(name: "dq", op: .dequantizeLinear(axis: 1), inputs: ["wq", "s"], outputs: ["w"]),
                              Node(name: "soft", op: .softmax(axis: 0), inputs: ["w"], outputs: ["p"]),
                              Node(name: "add", op: .binary(.add), inputs: ["x", "p"], outputs: ["y"]),
                              Node(name: "k", op: .constant(Tensor.scalar(1)), inputs: [], outputs: ["k"])],
                      initializers: ["wq": Tensor(shape: [4], int8s: [1, 2, 3, 4]), "s": Tensor.scalar(0.1)])
        let folded = try ConstantFolding(evaluator: CPUBackend(threads: 1)).run(g)
        #expect(folded.nodes.map(\.name) == ["dq", "soft", "add", "k"])
        #expect(folded.initializers.keys.sorted() == ["s", "wq"])
    }

    /// A shape only the model's declaration gives (an exporter's traced value_info) is shown, never baked in.
    @Test func declaredShapesAreNotFolded() throws {
        let g = Graph(name: "declared",
                      inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(12)]), ValueInfo(name: "s", dtype: .i64, shape: [.fixed(2)])],
                      outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)],
                      nodes: [Node(name: "r", op: .reshape(allowZero: false), inputs: ["x", "s"], outputs: ["r"]),
                              Node(name: "shape", op: .shape(start: 0, end: nil), inputs: ["r"], outputs: ["y"]),
                              Node(name: "shape2", op: .shape(start: 0, end: nil), inputs: ["r"], outputs: ["t"]),
                              Node(name: "use", op: .reshape(allowZero: false), inputs: ["r", "t"], outputs: ["z"])],
                      valueInfo: ["r": ValueInfo(name: "r", dtype: .f32, shape: [.fixed(2), .fixed(6)])])
        #expect(try g.inferringShapes().valueInfo["r"]?.shape == [.fixed(2), .fixed(6)])
        let folded = try ConstantFolding(evaluator: CPUBackend(threads: 1)).run(g)
        #expect(folded.nodes.map(\.name) == ["r", "shape", "shape2", "use"])
    }
}
