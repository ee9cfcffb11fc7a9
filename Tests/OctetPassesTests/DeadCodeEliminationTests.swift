import OctetIR
import OctetPasses
import Testing

@Suite("Dead code elimination")
struct DeadCodeEliminationTests {
    @Test func removesWhatReachesNoOutputAndNothingElse() throws {
        let g = Graph(name: "dce",
                      inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(4)]),
                               ValueInfo(name: "unusedInput", dtype: .f32, shape: [.fixed(1)])],
                      outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)],
                      nodes: [Node(name: "split", op: .split(axis: 0, numOutputs: 2), inputs: ["x"], outputs: ["a", "b"]),
                              Node(name: "deadRelu", op: .unary(.relu), inputs: ["b"], outputs: ["d"]),
                              Node(name: "deadTail", op: .binary(.add), inputs: ["d", "k"], outputs: ["d2"]),
                              Node(name: "live", op: .binary(.mul), inputs: ["a", "w"], outputs: ["y"])],
                      initializers: ["w": Tensor(shape: [2], floats: [1, 2]), "k": Tensor.scalar(1), "orphan": Tensor.scalar(3)],
                      valueInfo: ["d": ValueInfo(name: "d", dtype: .f32, shape: [.fixed(2)]),
                                  "a": ValueInfo(name: "a", dtype: .f32, shape: [.fixed(2)])])
        let out = try DeadCodeElimination().run(g)
        #expect(out.nodes.map(\.name) == ["split", "live"])
        #expect(out.initializers.keys.sorted() == ["w"])
        #expect(out.inputs.map(\.name) == ["x", "unusedInput"])
        #expect(out.valueInfo.keys.sorted() == ["a"])
        #expect(try DeadCodeElimination().run(out) == out)
    }

    @Test func anInitializerThatIsAGraphOutputStays() throws {
        let g = Graph(name: "k", outputs: [ValueInfo(name: "c", dtype: nil, shape: nil)],
                      initializers: ["c": Tensor.scalar(1), "d": Tensor.scalar(2)])
        #expect(try DeadCodeElimination().run(g).initializers.keys.sorted() == ["c"])
    }
}
