import OctetIR
import OctetPasses
import OctetTestSupport
import Testing

@Suite("BatchNorm folding")
struct BatchNormFoldingTests {
    /// x → producer → BatchNormalization → y, with seeded weights and BN statistics.
    static func withBatchNorm(_ producer: Op, weight: [Int], bias: Bool, channels: Int, input: [Int],
                              seed: UInt64 = 7) -> Graph {
        var v = SeededValues(seed: seed)
        var initializers: [String: Tensor] = [
            "w": v.tensor(weight),
            "gamma": v.tensor([channels], offset: 1.5), "beta": v.tensor([channels]),
            "mean": v.tensor([channels]), "var": v.tensor([channels], offset: 2),
        ]
        if bias { initializers["b"] = v.tensor([channels]) }
        return Graph(name: "bn",
                     inputs: [ValueInfo(name: "x", dtype: .f32, shape: input.map(Dim.fixed))],
                     outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)],
                     nodes: [Node(name: "p", op: producer, inputs: ["x", "w"] + (bias ? ["b"] : []), outputs: ["h"]),
                             Node(name: "bn", op: .batchNormalization(epsilon: 1e-3), inputs: ["h", "gamma", "beta", "mean", "var"],
                                  outputs: ["y"])],
                     initializers: initializers)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var graph: Graph
        var input: [Int]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "conv with bias, stride 2",
             graph: withBatchNorm(.conv(ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1])), weight: [6, 3, 3, 3], bias: true,
                                  channels: 6, input: [2, 3, 7, 7]), input: [2, 3, 7, 7]),
        Case(label: "grouped conv without bias",
             graph: withBatchNorm(.conv(ConvAttributes(group: 2)), weight: [4, 2, 3, 3], bias: false, channels: 4,
                                  input: [1, 4, 5, 5]), input: [1, 4, 5, 5]),
        Case(label: "depthwise conv",
             graph: withBatchNorm(.conv(ConvAttributes(pads: [1, 1, 1, 1], group: 4)), weight: [4, 1, 3, 3], bias: true,
                                  channels: 4, input: [1, 4, 6, 6]), input: [1, 4, 6, 6]),
        Case(label: "grouped conv transpose",
             graph: withBatchNorm(.convTranspose(ConvTransposeAttributes(conv: ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1], group: 2))),
                                  weight: [4, 3, 4, 4], bias: true, channels: 6, input: [1, 4, 3, 3]), input: [1, 4, 3, 3]),
        Case(label: "gemm, transposed weight",
             graph: withBatchNorm(.gemm(GemmAttributes(alpha: 0.5, beta: 2, transB: true)), weight: [5, 8], bias: true,
                                  channels: 5, input: [3, 8]), input: [3, 8]),
        Case(label: "gemm, plain weight, no bias",
             graph: withBatchNorm(.gemm(GemmAttributes()), weight: [8, 5], bias: false, channels: 5, input: [3, 8]),
             input: [3, 8]),
    ]

    @Test(arguments: cases)
    func foldsAndKeepsOutputs(_ c: Case) throws {
        let folded = try BatchNormFolding().run(c.graph)
        #expect(folded.nodes.count == 1)
        #expect(folded.nodes[0].outputs == ["y"])
        try folded.verify()
        var v = SeededValues(seed: 11)
        let x = v.tensor(c.input)
        let before = try #require(try interpret(c.graph, inputs: ["x": x])["y"])
        let after = try #require(try interpret(folded, inputs: ["x": x])["y"])
        #expect(relativeError(after, before) <= Tolerance.foldingRelative)
    }

    @Test func convOutputReadElsewhereIsNotFolded() throws {
        var g = Self.withBatchNorm(.conv(ConvAttributes()), weight: [2, 2, 1, 1], bias: true, channels: 2, input: [1, 2, 3, 3])
        g.nodes.append(Node(name: "relu", op: .unary(.relu), inputs: ["h"], outputs: ["r"]))
        g.outputs.append(ValueInfo(name: "r", dtype: nil, shape: nil))
        #expect(try BatchNormFolding().run(g) == g)
    }

    @Test func standaloneBatchNormIsLeftForTheBackend() throws {
        var g = Self.withBatchNorm(.unary(.relu), weight: [1], bias: false, channels: 2, input: [1, 2, 3, 3])
        g.nodes[0].inputs = ["x"]
        #expect(try BatchNormFolding().run(g) == g)
    }

    @Test func runtimeStatisticsAreNotFolded() throws {
        var g = Self.withBatchNorm(.conv(ConvAttributes()), weight: [2, 2, 1, 1], bias: true, channels: 2, input: [1, 2, 3, 3])
        g.initializers["mean"] = nil
        g.inputs.append(ValueInfo(name: "mean", dtype: .f32, shape: [.fixed(2)]))
        #expect(try BatchNormFolding().run(g) == g)
    }

    @Test func sharedWeightsGetTheirOwnFoldedCopies() throws {
        var v = SeededValues(seed: 3)
        var initializers = ["w": v.tensor([3, 3, 1, 1])]
        for k in ["a", "b"] {
            initializers["g" + k] = v.tensor([3], offset: 1.5)
            initializers["s" + k] = v.tensor([3])
            initializers["m" + k] = v.tensor([3])
            initializers["v" + k] = v.tensor([3], offset: 2)
        }
        let g = Graph(name: "shared",
                      inputs: [ValueInfo(name: "x", dtype: .f32, shape: [1, 3, 2, 2].map(Dim.fixed))],
                      outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)],
                      nodes: [Node(name: "c1", op: .conv(ConvAttributes()), inputs: ["x", "w"], outputs: ["h1"]),
                              Node(name: "bn1", op: .batchNormalization(epsilon: 1e-5), inputs: ["h1", "ga", "sa", "ma", "va"], outputs: ["y1"]),
                              Node(name: "c2", op: .conv(ConvAttributes()), inputs: ["y1", "w"], outputs: ["h2"]),
                              Node(name: "bn2", op: .batchNormalization(epsilon: 1e-5), inputs: ["h2", "gb", "sb", "mb", "vb"], outputs: ["y"])],
                      initializers: initializers)
        let folded = try DeadCodeElimination().run(try BatchNormFolding().run(g))
        #expect(folded.nodes.map(\.name) == ["c1", "c2"])
        #expect(folded.nodes[0].inputs[1] != folded.nodes[1].inputs[1])
        #expect(folded.initializers["w"] == nil)
        let x = v.tensor([1, 3, 2, 2])
        let before = try #require(try interpret(g, inputs: ["x": x])["y"])
        let after = try #require(try interpret(folded, inputs: ["x": x])["y"])
        #expect(relativeError(after, before) <= Tolerance.foldingRelative)
    }
}
