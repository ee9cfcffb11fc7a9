import Foundation
import Octet
import OctetData
import OctetFormats
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// The library's pipeline as the CLI and the C API use it: sessions, the batch loop, quantization.
@Suite struct SessionTests {
    static let mobileNet = Paths.fixture("mobilenet_v2.onnx").path
    static let dev8 = Paths.fixture("rec/dev8.rec").path
    static let int8Fixture = Paths.fixture("int8/conv3x3_int8")

    /// A quantized model runs on the integer kernels unless `simulate` is set: onnxruntime's bits either way
    /// on the integer path, float Q/DQ ops left in the simulated graph.
    @Test func quantizedModelsAreLoweredUnlessSimulated() throws {
        let model = Self.int8Fixture.appendingPathComponent("model.onnx").path
        let lowered = try Session(.onnx(path: model), options: SessionOptions(threads: 1))
        let simulated = try Session(.onnx(path: model), options: SessionOptions(threads: 1, simulate: true))
        let ops = { (g: Graph) in Set(g.nodes.map(\.op.onnxName)) }
        #expect(ops(lowered.compiledGraph).contains("ConvInteger"), "\(ops(lowered.compiledGraph))")
        #expect(!ops(simulated.compiledGraph).contains("ConvInteger"))
        #expect(ops(simulated.compiledGraph).contains("Conv"), "\(ops(simulated.compiledGraph))")
        let x = try NPY.read(path: Self.int8Fixture.appendingPathComponent("input_0.npy").path)
        let expected = try NPY.read(path: Self.int8Fixture.appendingPathComponent("expected.npy").path)
        #expect(try lowered.run(["x": x])["y"] == expected)
    }

    /// Evaluating a model against itself agrees on every image; its top-1 is the labels' count it gets right,
    /// and the totals count every image of the pack once.
    @Test func classifierEvaluationOverTheBatchLoop() throws {
        let session = try Session(.onnx(path: Self.mobileNet))
        let source = try DataSource(Self.dev8, preprocessing: Preprocessing(), batch: 3, limit: nil, skipBad: false,
                                    threads: 2)
        let progress = ProgressLog()
        let result = try ClassifierEvaluation.run([session], reference: session, on: source,
                                                  reporter: Reporter(progress: progress.add))
        #expect(result.totals.images == 8)
        #expect(result.models[0].images == 8)
        #expect(result.models[0].agreementPercent == 100)
        #expect(result.reference?.top1 == result.models[0].top1)
        #expect(result.models[0].labelled == 8)
        // MobileNetV2 gets most of the 8 bundled photos right (7 of 8 as the fixtures were made).
        #expect(result.models[0].top1 >= 6, "top-1 \(result.models[0].top1) of 8")
        #expect(progress.reports.map(\.done) == [0, 3, 6, 8, 8])
        #expect(progress.reports.last?.finished == true)
    }

    /// Quantizing through the library gives a QDQ graph that a session lowers and runs, with the messages
    /// and progress routed through the reporter rather than printed.
    @Test func quantizeJobCalibratesAndReports() throws {
        let graph = try ModelLoader.load(.onnx(path: Self.mobileNet), threads: 2)
        var config = QuantizationConfig()
        config.mode = .max
        let progress = ProgressLog()
        let job = QuantizeJob(config: config, calibration: CalibrationData(path: Self.dev8, batch: 4, samples: 8),
                              threads: 2, reporter: Reporter(message: progress.message, progress: progress.add))
        let result = try job.run(graph, path: Self.mobileNet)
        #expect(result.candidates.map(\.mode) == [.max])
        #expect(Realize.isQuantized(result.candidates[0].graph))
        #expect(progress.messages.contains { $0.hasPrefix("info: calibrated \(result.plan.activations.count) tensors on 8 images") },
                "\(progress.messages)")
        #expect(progress.reports.filter(\.finished).map(\.stage) == ["equalizing streams", "calibrating"])
        let int8 = try Session(graph: result.candidates[0].graph, path: "int8")
        let image = try Photos.tensor()
        let logits = try #require(try int8.run([graph.inputs[0].name: image]).values.first)
        #expect(logits.shape == [1, 1000])
    }

    /// A missing file is an InputError that names it.
    @Test func missingModelNamesTheFile() throws {
        let error = #expect(throws: InputError.self) { try Session(.onnx(path: "/nonexistent/model.onnx")) }
        #expect(error?.file == "/nonexistent/model.onnx")
    }
}

/// Collects a reporter's messages and progress (from one thread at a time).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var reports: [Reporter.Progress] = []
    private(set) var messages: [String] = []

    func add(_ p: Reporter.Progress) {
        lock.lock()
        reports.append(p)
        lock.unlock()
    }

    func message(_ level: Reporter.Level, _ text: String) {
        lock.lock()
        messages.append("\(level.rawValue): \(text)")
        lock.unlock()
    }
}
