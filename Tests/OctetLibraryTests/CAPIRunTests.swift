import COctetAPI
import Foundation
import Octet
import OctetFormats
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// The C API runs and quantizes models exactly as the library does.
@Suite struct CAPIRunTests {
    static let mobileNet = Paths.fixture("mobilenet_v2.onnx").path
    static let dev8 = Paths.fixture("rec/dev8.rec").path

    @Test func describesInputsAndOutputs() throws {
        let model = try CAPI.open(Self.mobileNet)
        defer { octet_close(model) }
        var inputs = 0, outputs = 0
        #expect(octet_input_count(model, &inputs) == OCTET_OK && inputs == 1)
        #expect(octet_output_count(model, &outputs) == OCTET_OK && outputs == 1)
        var info = octet_value_info()
        #expect(octet_input_info(model, 0, &info) == OCTET_OK)
        #expect(String(cString: info.name) == "input")
        #expect(info.dtype == OCTET_FLOAT32)
        #expect(CAPI.shape(info) == [-1, 3, 224, 224])
        #expect(octet_output_info(model, 0, &info) == OCTET_OK)
        #expect(String(cString: info.name) == "logits")
        #expect(CAPI.shape(info) == [-1, 1000])
    }

    /// Float MobileNetV2 through the C API gives the library's logits bit for bit, at batch 1 and 2.
    @Test func floatRunEqualsTheLibrary() throws {
        let model = try CAPI.open(Self.mobileNet)
        defer { octet_close(model) }
        let session = try Session(.onnx(path: Self.mobileNet), options: SessionOptions(threads: 2))
        let one = try Photos.tensor(7)
        let viaC = CAPI.runFloat(model, one)
        #expect(viaC.status == OCTET_OK, "\(CAPI.lastError)")
        let expected = try #require(try session.run(["input": one])["logits"])
        #expect(viaC.shape == [1, 1000])
        #expect(viaC.values == expected.floatValues())
        let two = Tensor(shape: [2, 3, 224, 224], floats: try Photos.tensor(1).floatValues() + one.floatValues())
        let batch = CAPI.runFloat(model, two)
        #expect(batch.shape == [2, 1000])
        #expect(Array(batch.values[1000...]) == expected.floatValues())
    }

    /// An int8 QDQ model runs on the integer kernels through the C API: onnxruntime's bits.
    @Test func int8RunGivesOnnxruntimeBits() throws {
        let dir = Paths.fixture("int8/conv3x3_int8")
        let model = try CAPI.open(dir.appendingPathComponent("model.onnx").path)
        defer { octet_close(model) }
        let x = try NPY.read(path: dir.appendingPathComponent("input_0.npy").path)
        let expected = try NPY.read(path: dir.appendingPathComponent("expected.npy").path)
        let out = CAPI.runFloat(model, x)
        #expect(out.status == OCTET_OK, "\(CAPI.lastError)")
        #expect(out.shape == expected.shape.map(Int64.init))
        #expect(out.values == expected.floatValues())
    }

    /// Four threads running one model at once each get what a lone run gives.
    @Test func runsFromSeveralThreadsTakeTurns() throws {
        let model = try CAPI.open(Self.mobileNet)
        defer { octet_close(model) }
        let photos = try (0..<4).map { try Photos.tensor($0) }
        let alone = photos.map { CAPI.runFloat(model, $0).values }
        let results = ResultSlots(count: 4)
        nonisolated(unsafe) let handle = model
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            for _ in 0..<3 { results.set(i, CAPI.runFloat(handle, photos[i]).values) }
        }
        for i in 0..<4 { #expect(results.get(i) == alone[i] && alone[i].count == 1000) }
    }

    /// octet_quantize writes the model the library's QuantizeJob writes for the same options, reports its
    /// progress to the callback, and the file opens and runs through the C API.
    @Test func quantizeEqualsTheLibraryAndReportsProgress() throws {
        let out = NSTemporaryDirectory() + "capi-quantize-\(getpid()).onnx"
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = octet_quantize_options()
        octet_quantize_options_init(&options)
        options.samples = 8
        options.batch = 4
        options.per_channel = 0
        options.threads = 2
        let log = StageLog()
        options.progress_user = Unmanaged.passUnretained(log).toOpaque()
        options.progress = { stage, done, total, user in
            Unmanaged<StageLog>.fromOpaque(user!).takeUnretainedValue().add(String(cString: stage!), done, total)
        }
        let status = "max".withCString { mode in
            options.mode = mode
            return octet_quantize(Self.mobileNet, Self.dev8, out, &options)
        }
        #expect(status == OCTET_OK, "\(CAPI.lastError)")
        #expect(log.entries.last.map { "\($0.0) \($0.1)/\($0.2)" } == "calibrating 8/8", "\(log.entries)")

        var config = QuantizationConfig()
        config.mode = .max
        config.perChannel = false
        let graph = try ModelLoader.load(.onnx(path: Self.mobileNet), threads: 2)
        let job = QuantizeJob(config: config, calibration: CalibrationData(path: Self.dev8, batch: 4, samples: 8), threads: 2)
        let library = NSTemporaryDirectory() + "capi-quantize-lib-\(getpid()).onnx"
        defer { try? FileManager.default.removeItem(atPath: library) }
        try ModelWriter.write(try job.run(graph, path: Self.mobileNet).candidates[0].graph, to: library)
        #expect(FileManager.default.contents(atPath: out) == FileManager.default.contents(atPath: library))

        let model = try CAPI.open(out)
        defer { octet_close(model) }
        let logits = CAPI.runFloat(model, try Photos.tensor(7))
        #expect(logits.status == OCTET_OK && logits.shape == [1, 1000])
    }
}

final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[Float]]
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Float]) { lock.lock(); slots[i] = v; lock.unlock() }
    func get(_ i: Int) -> [Float] { lock.lock(); defer { lock.unlock() }; return slots[i] }
}

final class StageLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var entries: [(String, Int64, Int64)] = []
    func add(_ stage: String, _ done: Int64, _ total: Int64) { lock.lock(); entries.append((stage, done, total)); lock.unlock() }
}
