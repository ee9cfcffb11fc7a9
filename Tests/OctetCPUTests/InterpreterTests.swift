import Foundation
import OctetCPU
import OctetIR
import Testing

/// The interpreter's contract: run nodes in order, check feeds against the declared inputs.
@Suite struct InterpreterTests {
    /// x -> Relu -> r -> Add(r, r) -> y, with r also a graph output.
    static let graph = Graph(
        inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.symbolic("batch"), .fixed(3)])],
        outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil), ValueInfo(name: "r", dtype: .f32, shape: nil),
                  ValueInfo(name: "w", dtype: .f32, shape: nil)],
        nodes: [Node(name: "relu", op: .unary(.relu), inputs: ["x"], outputs: ["r"]),
                Node(name: "add", op: .binary(.add), inputs: ["r", "r"], outputs: ["y"])],
        initializers: ["w": Tensor(shape: [1], floats: [7])])

    @Test func runsNodesAndKeepsEveryGraphOutput() throws {
        let model = try CPUBackend(threads: 1).compile(Self.graph)
        let out = try model.run(["x": Tensor(shape: [2, 3], floats: [-1, 2, -3, 4, -5, 6])])
        #expect(out["r"]?.storage == .f32([0, 2, 0, 4, 0, 6]))
        #expect(out["y"]?.storage == .f32([0, 4, 0, 8, 0, 12]))
        #expect(out["w"]?.storage == .f32([7]))
    }

    @Test(arguments: [
        (["x": Tensor(shape: [1, 3], int64s: [1, 2, 3])], "is i64"),
        (["x": Tensor(shape: [1, 4], floats: [1, 2, 3, 4])], "declares [batch, 3]"),
        (["x": Tensor(shape: [3], floats: [1, 2, 3])], "rank 1"),
        ([:], "\"x\" was not fed"),
        (["x": Tensor(shape: [1, 3], floats: [1, 2, 3]), "z": .scalar(1)], "unknown input \"z\""),
    ])
    func badFeedsSayWhatIsWrong(_ feeds: [String: Tensor], _ message: String) throws {
        let model = try CPUBackend(threads: 1).compile(Self.graph)
        do {
            _ = try model.run(feeds)
            Issue.record("expected an error containing \(message)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func compileRejectsAReadOfAnUndefinedValue() {
        var g = Self.graph
        g.nodes[1].inputs = ["r", "nowhere"]
        #expect(throws: IRError.self) { try CPUBackend().compile(g) }
    }

    @Test func supportsGivesAReason() {
        let node = Node(name: "bn", op: .batchNormalization(epsilon: 1e-5), inputs: ["x", "s", "b", "m", "v"],
                        outputs: ["y", "running_mean", "running_var"])
        guard case .unsupported(let reason) = CPUBackend().supports(node, in: Graph()) else {
            Issue.record("training-mode BatchNormalization should be unsupported")
            return
        }
        #expect(reason.contains("training"))
        let relu = Node(name: "r", op: .unary(.relu), inputs: ["x"], outputs: ["y"])
        #expect(CPUBackend().supports(relu, in: Graph()) == .supported)
    }

    @Test func zeroThreadsMeansOne() {
        #expect(CPUBackend(threads: 0).threads == 1)
    }
}
