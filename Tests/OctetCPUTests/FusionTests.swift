import OctetCPU
import OctetIR
import OctetTestSupport
import Testing

/// Graphs whose Add and Relu nodes the CPU backend folds into a Conv, run whole against the same nodes
/// evaluated one at a time.
@Suite("Folding Add and Relu into Conv")
struct FusionTests {
    /// x -> Conv 3x3 -> Relu -> Conv 1x1 -> c; Add(c, x) (or x + c) -> Relu -> y: a residual block.
    static func residualBlock(residualFirst: Bool, residual: String = "x") -> Graph {
        var random = SeededRandom(seed: 31)
        let pad = ConvAttributes(pads: [1, 1, 1, 1])
        return Graph(
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(8), .fixed(9), .fixed(11)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "conv1", op: .conv(pad), inputs: ["x", "w1", "b1"], outputs: ["a"]),
                Node(name: "relu1", op: .unary(.relu), inputs: ["a"], outputs: ["r"]),
                Node(name: "conv2", op: .conv(ConvAttributes()), inputs: ["r", "w2", "b2"], outputs: ["c"]),
                Node(name: "add", op: .binary(.add), inputs: residualFirst ? [residual, "c"] : ["c", residual],
                     outputs: ["s"]),
                Node(name: "relu2", op: .unary(.relu), inputs: ["s"], outputs: ["y"]),
            ],
            initializers: ["w1": random.tensor([8, 8, 3, 3]), "b1": random.tensor([8]),
                           "w2": random.tensor([8, 8, 1, 1]), "b2": random.tensor([8]),
                           "bias": random.tensor([1, 8, 1, 1])])
    }

    /// The graph's nodes one at a time on the evaluator (fast kernels, nothing folded).
    static func nodeByNode(_ graph: Graph, _ feeds: [String: Tensor]) throws -> [String: Tensor] {
        var values = feeds.merging(graph.initializers) { a, _ in a }
        for node in graph.nodes {
            let outputs = try CPUBackend(threads: 1).evaluate(node, inputs: node.inputs.map { values[$0] })
            for (name, t) in zip(node.outputs, outputs) { values[name] = t }
        }
        return values
    }

    @Test("A residual Add and the Relu after it fold into the Conv", arguments: [false, true], [1, 2])
    func residualBlockMatchesNodeByNode(residualFirst: Bool, threads: Int) throws {
        var random = SeededRandom(seed: 5)
        let feeds = ["x": random.tensor([1, 8, 9, 11])]
        let graph = Self.residualBlock(residualFirst: residualFirst)
        let expected = try #require(try Self.nodeByNode(graph, feeds)["y"])
        // The folding happened: Relu into conv1, Add and Relu into conv2.
        #expect(CPUBackend(threads: threads).kernelNames(graph) == ["fast conv", "folded", "fast conv", "folded", "folded"])
        let actual = try #require(try CPUBackend(threads: threads).compile(graph).run(feeds)["y"])
        #expect(actual.shape == expected.shape)
        #expect(relativeError(actual, expected) <= Tolerance.fastKernelRelative)
    }

    @Test("An Add that broadcasts, or reads a value defined after the Conv, still computes the same")
    func unfoldableAddsMatchNodeByNode() throws {
        var random = SeededRandom(seed: 6)
        let feeds = ["x": random.tensor([1, 8, 9, 11])]
        // Broadcast operand: the Conv's epilogue cannot take it.
        let broadcast = Self.residualBlock(residualFirst: false, residual: "bias")
        // The other operand ("r2") is computed after conv2, so it cannot be ready when conv2 runs.
        var later = Self.residualBlock(residualFirst: true, residual: "r2")
        later.nodes.insert(Node(name: "late", op: .unary(.relu), inputs: ["x"], outputs: ["r2"]), at: 3)
        // The plan folds the broadcast Add (its operand's shape is known only at run time, where the fallback
        // runs it on the reference); the late one cannot fold.
        #expect(CPUBackend(threads: 2).kernelNames(broadcast) == ["fast conv", "folded", "fast conv", "folded", "folded"])
        #expect(CPUBackend(threads: 2).kernelNames(later)[2...] == ["fast conv", "reference", "fast add", "folded"])
        for graph in [broadcast, later] {
            let expected = try #require(try Self.nodeByNode(graph, feeds)["y"])
            let actual = try #require(try CPUBackend(threads: 2).compile(graph).run(feeds)["y"])
            #expect(actual.shape == expected.shape)
            #expect(relativeError(actual, expected) <= Tolerance.fastKernelRelative)
        }
    }
}
