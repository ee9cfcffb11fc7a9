import OctetCPU
import OctetIR
import Testing

/// The operand shapes of one float binary case and the layout the fast kernel must see in them.
struct BinaryShapes: CustomTestStringConvertible, Sendable {
    var a: [Int]
    var b: [Int]
    var testDescription: String { "\(a) op \(b)" }
}

@Suite("Fast float Add, Sub, Mul, Div")
struct FastBinaryTests {
    static let shapes = [
        BinaryShapes(a: [1, 24, 12, 80], b: [1, 24, 12, 80]),  // a residual Add, two threads
        BinaryShapes(a: [3, 5], b: [1, 3, 5]),                  // one layout under another rank
        BinaryShapes(a: [1, 24, 12, 80], b: [1]),               // PP-LCNet's learned scale and shift
        BinaryShapes(a: [], b: [2, 7, 3]),                      // the one value first (Sub and Div care)
        BinaryShapes(a: [2, 16, 9, 11], b: [2, 16, 1, 1]),      // squeeze-and-excitation's gate
        BinaryShapes(a: [16, 1, 1], b: [1, 16, 37, 21]),        // the same per-channel value first
    ]

    @Test("Each layout and operation gives the reference kernel's bits, on the AVX-512 and portable loops",
          arguments: shapes, [BinaryOp.add, .sub, .mul, .div])
    func matchesReference(_ shapes: BinaryShapes, op: BinaryOp) throws {
        for isa in [KernelISA.portable, .avx512] {
            try KernelISA.$requested.withValue(isa) { try matchesReference(shapes, op: op, isa: isa) }
        }
    }

    private func matchesReference(_ shapes: BinaryShapes, op: BinaryOp, isa: KernelISA) throws {
        var random = SeededRandom(seed: 11)
        let a = random.tensor(shapes.a), b = random.tensor(shapes.b)
        let fast = try #require(FastBinary.run(op, a, b, threads: 2))
        let node = Node(name: "n", op: .binary(op), inputs: ["a", "b"], outputs: ["y"])
        let expected = try #require(try CPUBackend(threads: 1).evaluate(node, inputs: [a, b]).first)
        #expect(fast.shape == expected.shape)
        #expect(fast.floatValues().map(\.bitPattern) == expected.floatValues().map(\.bitPattern))
    }

    @Test("A folded clamp clamps after the operation and keeps a NaN, on both loops", arguments: [KernelISA.portable, .avx512])
    func clampAfterOperation(_ isa: KernelISA) throws {
        let a = Tensor(shape: [19], floats: (0..<18).map { Float($0) - 8 } + [.nan])
        let b = Tensor(shape: [1], floats: [3])
        let fast = try #require(KernelISA.$requested.withValue(isa) {
            FastBinary.run(.add, a, b, activation: FusedActivation(lower: 0, upper: 6), threads: 1)
        })
        let values = fast.floatValues()
        #expect(Array(values.prefix(18)) == [0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6])
        #expect(values[18].isNaN)
    }

    /// PP-LCNet's block after a Conv: `x * s + b`, hard-swish as Add, Clip, Mul, Div, then `* s + b` again.
    static func lcnetTail(extraReader: Bool = false) -> Graph {
        var nodes = [
            Node(name: "scale", op: .binary(.mul), inputs: ["s", "x"], outputs: ["a"]),
            Node(name: "shift", op: .binary(.add), inputs: ["a", "b"], outputs: ["t"]),
            Node(name: "plus", op: .binary(.add), inputs: ["t", "three"], outputs: ["p"]),
            Node(name: "clip", op: .clip, inputs: ["p", "zero", "six"], outputs: ["c"]),
            Node(name: "times", op: .binary(.mul), inputs: ["t", "c"], outputs: ["m"]),
            Node(name: "over", op: .binary(.div), inputs: ["m", "six"], outputs: ["h"]),
            Node(name: "scale2", op: .binary(.mul), inputs: ["s", "h"], outputs: ["y"]),
        ]
        var outputs = [ValueInfo(name: "y", dtype: .f32, shape: nil)]
        if extraReader {
            // "t" read outside the chain: it must end before the node that defines t is folded away.
            nodes.append(Node(name: "outside", op: .unary(.sigmoid), inputs: ["t"], outputs: ["z"]))
            outputs.append(ValueInfo(name: "z", dtype: .f32, shape: nil))
        }
        return Graph(
            name: "lcnet-tail",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: nil)],
            outputs: outputs, nodes: nodes,
            initializers: ["s": Tensor(shape: [1], floats: [0.75]), "b": Tensor(shape: [1], floats: [-0.5]),
                           "three": Tensor(shape: [1], floats: [3]), "zero": Tensor(shape: [], floats: [0]),
                           "six": Tensor(shape: [], floats: [6])])
    }

    @Test("PP-LCNet's scale, shift and hard-swish run as one elementwise chain, with the reference's bits",
          arguments: [[1, 8, 6, 10], [1, 240, 12, 80], [5]])
    func lcnetTailRunsAsOneChain(_ shape: [Int]) throws {
        let graph = Self.lcnetTail()
        #expect(CPUBackend(threads: 2).kernelNames(graph) == ["fast elementwise chain"] + Array(repeating: "folded", count: 6))
        var random = SeededRandom(seed: 12)
        let feeds = ["x": random.tensor(shape)]
        let expected = try #require(try FusionTests.nodeByNode(graph, feeds)["y"])
        let actual = try #require(try CPUBackend(threads: 2).compile(graph).run(feeds)["y"])
        #expect(actual.shape == expected.shape)
        #expect(actual.floatValues().map(\.bitPattern) == expected.floatValues().map(\.bitPattern))
    }

    @Test("A chain stops before a value that a node outside it reads")
    func chainEndsAtValuesReadOutside() throws {
        let graph = Self.lcnetTail(extraReader: true)
        #expect(CPUBackend(threads: 1).kernelNames(graph) ==
                ["fast elementwise chain", "folded", "fast elementwise chain", "folded", "folded", "folded", "folded",
                 "reference"])
        var random = SeededRandom(seed: 13)
        let feeds = ["x": random.tensor([2, 3, 7])]
        let expected = try FusionTests.nodeByNode(graph, feeds)
        let actual = try CPUBackend(threads: 1).compile(graph).run(feeds)
        for name in ["y", "z"] {
            let (a, e) = (try #require(actual[name]), try #require(expected[name]))
            #expect(a.floatValues().map(\.bitPattern) == e.floatValues().map(\.bitPattern))
        }
    }

    @Test("A constant of higher rank than the input is left to the reference, which broadcasts it")
    func chainDeclinesShapeChangingConstant() throws {
        var graph = Self.lcnetTail()
        graph.initializers["s"] = Tensor(shape: [1, 1, 1], floats: [0.75])
        let x = Tensor(shape: [4], floats: [1, -2, 3, -4])
        let expected = try #require(try FusionTests.nodeByNode(graph, ["x": x])["y"])
        let actual = try #require(try CPUBackend(threads: 1).compile(graph).run(["x": x])["y"])
        #expect(expected.shape == [1, 1, 4])
        #expect(actual.shape == expected.shape)
        #expect(actual.floatValues() == expected.floatValues())
    }

    @Test("A residual Add of two tensors and its Relu run on the fast Add, the Relu folded")
    func twoTensorAddRunsFast() throws {
        let graph = Graph(
            name: "residual",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: nil), ValueInfo(name: "r", dtype: .f32, shape: nil)],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [Node(name: "add", op: .binary(.add), inputs: ["x", "r"], outputs: ["s"]),
                    Node(name: "relu", op: .unary(.relu), inputs: ["s"], outputs: ["y"])])
        #expect(CPUBackend(threads: 2).kernelNames(graph) == ["fast add", "folded"])
        var random = SeededRandom(seed: 14)
        let feeds = ["x": random.tensor([1, 4, 5, 6]), "r": random.tensor([1, 4, 5, 6])]
        let expected = try #require(try FusionTests.nodeByNode(graph, feeds)["y"])
        let actual = try #require(try CPUBackend(threads: 2).compile(graph).run(feeds)["y"])
        #expect(actual.floatValues().map(\.bitPattern) == expected.floatValues().map(\.bitPattern))
    }
}
