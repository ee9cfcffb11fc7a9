import OctetCPU
import OctetIR
import OctetQuant
import Testing

/// Two-pass calibration on a one-node graph: ranges first, then histograms over exactly those ranges.
@Suite struct CalibrationRunTests {
    static let graph = Graph(
        name: "relu",
        inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(4)])],
        outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
        nodes: [Node(name: "relu", op: .unary(.relu), inputs: ["x"], outputs: ["y"])],
        initializers: [:])

    static let batches: [[Float]] = [[0.5, -1, 0.25, 0], [3, 0.1, -2, 1], [0.2, 0.7, 2.9, -0.4]]

    static func observe(_ order: [Int], bins: Int?) throws -> (Observer, opens: Int) {
        let run = CalibrationRun(graph: graph, tensors: ["y"], histogramBins: bins, backend: CPUBackend(threads: 1))
        var opens = 0
        let observers = try run.observe(open: {
            opens += 1
            var i = 0
            return {
                guard i < order.count else { return nil }
                defer { i += 1 }
                return ["x": Tensor(shape: [1, 4], floats: batches[order[i]])]
            }
        })
        return (try #require(observers["y"]), opens)
    }

    @Test func histogramSpansExactlyTheObservedRangeWhateverTheOrder() throws {
        let (a, opens) = try Self.observe([0, 1, 2], bins: 7)
        let (b, _) = try Self.observe([2, 0, 1], bins: 7)
        #expect(opens == 2)
        let h = try #require(a.histogram)
        // One growing pass would have ended at 3.5 in this order (0.5 grown 7x) and at 8.7 in the other.
        #expect(h.limit == 3)
        #expect(h.zeros == 4)
        #expect(h.total == 12)
        #expect(a == b)
    }

    @Test func rangesAloneNeedOnePass() throws {
        let (o, opens) = try Self.observe([1, 0], bins: nil)
        #expect(opens == 1)
        #expect(o.histogram == nil)
        #expect(o.max == 3 && o.min == 0)
    }

    @Test func emptyDataIsAnError() {
        let run = CalibrationRun(graph: Self.graph, tensors: ["y"], histogramBins: 7, backend: CPUBackend(threads: 1))
        #expect(throws: QuantError.self) { try run.observe(open: { { nil } }) }
    }
}
