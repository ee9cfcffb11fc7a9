import Foundation
import Octet
import OctetData
import OctetIR
import OctetTestSupport
import Testing

/// The accuracy budget's search, with a stand-in for quantization whose cost is known: one conv has its
/// weights spoiled unless it is kept float. The search must find that conv first, put it back, and stop.
@Suite struct AccuracyControlTests {
    static let mobileNet = Paths.fixture("mobilenet_v2.onnx").path
    static let dev8 = Paths.fixture("rec/dev8.rec").path

    static func spoiling(_ target: String, in graph: Graph) -> ([String]) -> Graph {
        { float in
            guard !float.contains(target), let node = graph.nodes.first(where: { $0.name == target }) else { return graph }
            var spoiled = graph
            let w = node.inputs[1]
            let t = spoiled.initializers[w]!
            spoiled.initializers[w] = Tensor(shape: t.shape, floats: t.floatValues().enumerated().map { i, v in i % 2 == 0 ? -3 * v : v })
            return spoiled
        }
    }

    static func source() throws -> DataSource {
        try DataSource(dev8, preprocessing: Preprocessing(), batch: 4, limit: nil, skipBad: false, threads: 2)
    }

    @Test func theCostliestNodeGoesBackFirstAndTheSearchStopsWhenTheBudgetHolds() throws {
        let graph = try ModelLoader.load(.onnx(path: Self.mobileNet), threads: 2)
        let convs = graph.nodes.filter { if case .conv = $0.op { true } else { false } }.map(\.name)
        let target = convs[3]
        let candidates = [convs[10], target, convs[20], convs[30]]
        let control = AccuracyControl(budget: .minAgreement(100), threads: 2)
        let outcome = try control.run(float: graph, path: Self.mobileNet, data: Self.source(), candidates: candidates,
                                      quantize: Self.spoiling(target, in: graph))
        #expect((outcome.initial.agreementPercent ?? 100) < 100, "the spoiled conv should change some top-1")
        #expect(outcome.reverted == [target])
        #expect(outcome.final.agreementPercent == 100 && outcome.final.images == 8)
    }

    @Test func aBudgetNoReversionReachesIsAnErrorThatSaysSo() throws {
        let graph = try ModelLoader.load(.onnx(path: Self.mobileNet), threads: 2)
        let convs = graph.nodes.filter { if case .conv = $0.op { true } else { false } }.map(\.name)
        var control = AccuracyControl(budget: .maxDrop(-50), threads: 2)
        control.maxReverted = 2
        #expect {
            _ = try control.run(float: graph, path: Self.mobileNet, data: Self.source(), candidates: Array(convs.prefix(3)),
                                quantize: Self.spoiling(convs[0], in: graph))
        } throws: { error in
            let text = "\(error)"
            return text.contains("no reversion reaches the budget") && text.contains("with 2 of 3 quantized nodes back to float")
        }
    }

    @Test func topOneBudgetsNeedLabels() {
        let met = AccuracyBudget.maxDrop(0.5)
        var float = Evaluation(), q = Evaluation()
        float.add(logits: Tensor(shape: [2, 2], floats: [1, 0, 0, 1]), labels: [0, 1])
        q.add(logits: Tensor(shape: [2, 2], floats: [1, 0, 1, 0]), labels: [0, 1])
        #expect(!met.isMet(q, float: float), "50 points below")
        #expect(AccuracyBudget.maxDrop(50).isMet(q, float: float))
        var unlabelled = Evaluation()
        unlabelled.add(logits: Tensor(shape: [1, 2], floats: [1, 0]), labels: [nil])
        #expect(!met.isMet(unlabelled, float: unlabelled), "no labels: a top-1 budget cannot hold")
    }
}
