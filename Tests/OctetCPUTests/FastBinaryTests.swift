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

    @Test("Each layout and operation gives the reference kernel's bits", arguments: shapes,
          [BinaryOp.add, .sub, .mul, .div])
    func matchesReference(_ shapes: BinaryShapes, op: BinaryOp) throws {
        var random = SeededRandom(seed: 11)
        let a = random.tensor(shapes.a), b = random.tensor(shapes.b)
        let fast = try #require(FastBinary.run(op, a, b, threads: 2))
        let node = Node(name: "n", op: .binary(op), inputs: ["a", "b"], outputs: ["y"])
        let expected = try #require(try CPUBackend(threads: 1).evaluate(node, inputs: [a, b]).first)
        #expect(fast.shape == expected.shape)
        #expect(fast.floatValues().map(\.bitPattern) == expected.floatValues().map(\.bitPattern))
    }

    @Test("A folded clamp clamps after the operation, on the vectors and the scalar tail")
    func clampAfterOperation() throws {
        let a = Tensor(shape: [11], floats: (0..<11).map { Float($0) - 5 })
        let b = Tensor(shape: [1], floats: [3])
        let fast = try #require(FastBinary.run(.add, a, b, activation: FusedActivation(lower: 0, upper: 6), threads: 1))
        #expect(fast.floatValues() == [0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 6])
    }

    @Test("Hard-swish written as Add, Clip, Mul, Div runs on the fast kernels with the Clip folded")
    func hardSwishChainRunsFast() throws {
        let graph = Graph(
            name: "hard-swish",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(8), .fixed(6), .fixed(10)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "plus", op: .binary(.add), inputs: ["x", "three"], outputs: ["t"]),
                Node(name: "clip", op: .clip, inputs: ["t", "zero", "six"], outputs: ["c"]),
                Node(name: "times", op: .binary(.mul), inputs: ["x", "c"], outputs: ["m"]),
                Node(name: "over", op: .binary(.div), inputs: ["m", "six"], outputs: ["y"]),
            ],
            initializers: ["three": Tensor(shape: [1], floats: [3]), "zero": Tensor(shape: [], floats: [0]),
                           "six": Tensor(shape: [], floats: [6])])
        #expect(CPUBackend(threads: 2).kernelNames(graph) == ["fast add", "folded", "fast mul", "fast div"])
        var random = SeededRandom(seed: 12)
        let feeds = ["x": random.tensor([1, 8, 6, 10])]
        let expected = try #require(try FusionTests.nodeByNode(graph, feeds)["y"])
        let actual = try #require(try CPUBackend(threads: 2).compile(graph).run(feeds)["y"])
        #expect(actual.floatValues().map(\.bitPattern) == expected.floatValues().map(\.bitPattern))
    }
}
