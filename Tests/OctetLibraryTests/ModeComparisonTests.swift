import Octet
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// `quantize --mode all`: the modes side by side, each also without bias correction.
@Suite struct ModeComparisonTests {
    @Test func severalModesComeWithAndWithoutBiasCorrection() throws {
        let path = Paths.fixture("mobilenet_v2.onnx").path
        let graph = try ModelLoader.load(.onnx(path: path), threads: 2)
        let job = QuantizeJob(config: QuantizationConfig(), modes: [.max, .global], calibration: CalibrationData(
            path: Paths.fixture("rec/dev8.rec").path, batch: 4, samples: 4), threads: 2)
        let candidates = try job.run(graph, path: path).candidates
        #expect(candidates.map(\.label) == ["max", "global", "max, no bias correction", "global, no bias correction"])
        // The same ranges; only the conv biases (stored as int32) differ.
        #expect(candidates[0].ranges == candidates[2].ranges)
        let corrected = candidates[0].graph.initializers, plain = candidates[2].graph.initializers
        let changed = corrected.keys.filter { corrected[$0] != plain[$0] }
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { corrected[$0]?.dtype == .i32 }, "\(changed.prefix(3))")
    }

    @Test func oneModeIsOneCandidate() throws {
        let path = Paths.fixture("mobilenet_v2.onnx").path
        let graph = try ModelLoader.load(.onnx(path: path), threads: 2)
        var config = QuantizationConfig()
        config.mode = .max
        let job = QuantizeJob(config: config, calibration: CalibrationData(
            path: Paths.fixture("rec/dev8.rec").path, batch: 4, samples: 4), threads: 2)
        #expect(try job.run(graph, path: path).candidates.map(\.label) == ["max"])
    }
}
