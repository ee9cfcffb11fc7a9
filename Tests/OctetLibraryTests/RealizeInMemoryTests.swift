import Octet
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// A QDQ graph straight from the quantizer (never written and loaded again) realizes as the same graph
/// loaded from its file does: `quantize --eval`, the demo and the accuracy budget run such graphs.
@Suite struct RealizeInMemoryTests {
    @Test func perChannelGroupsRealizeWithoutALoad() throws {
        let path = Paths.fixture("mobilenet_v2.onnx").path
        let graph = try ModelLoader.load(.onnx(path: path), threads: 2)
        let job = QuantizeJob(config: QuantizationConfig(), calibration: CalibrationData(
            path: Paths.fixture("rec/dev8.rec").path, batch: 4, samples: 8), threads: 2)
        let quantized = try job.run(graph, path: path).candidates[0].graph
        let realized = try Session.lower(quantized, simulate: false, path: path)
        let floatConvs = realized.nodes.filter { if case .conv = $0.op { true } else { false } }.map(\.name)
        // Only the first conv, which the default --skip-conv 0 keeps float.
        #expect(floatConvs == ["/features/features.0/features.0.0/Conv"], "\(floatConvs)")
    }
}
