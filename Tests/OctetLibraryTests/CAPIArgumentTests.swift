import COctetAPI
import Foundation
import OctetTestSupport
import Testing

/// Every C API function given a bad argument returns a status and a message that says what is wrong.
@Suite struct CAPIArgumentTests {
    static let mobileNet = Paths.fixture("mobilenet_v2.onnx").path
    static let addModel = Paths.fixture("int8/add_int8/model.onnx").path

    @Test func versionAndNoErrorYet() {
        #expect(String(cString: octet_version()).split(separator: ".").count == 3)
    }

    @Test func openRejectsBadArguments() throws {
        var model: OpaquePointer? = OpaquePointer(bitPattern: 0x1234)
        #expect(octet_open(nil, OCTET_TARGET_CPU, 1, &model) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError == "path is NULL")
        #expect(model == nil, "a failed open leaves no handle behind")
        #expect(octet_open(Self.mobileNet, OCTET_TARGET_CPU, 1, nil) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError == "model is NULL")
        #expect(octet_open(Self.mobileNet, OCTET_TARGET_CPU, -1, &model) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError.contains("threads"))
        #expect(octet_open(Self.mobileNet, octet_target(rawValue: 7), 1, &model) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError.contains("target"))
        #expect(octet_open(Self.mobileNet, OCTET_TARGET_CUDA, 1, &model) == OCTET_UNSUPPORTED)
        #expect(CAPI.lastError.contains("cuda"))
    }

    @Test(arguments: ["/nonexistent/model.onnx", "truncated_in_graph.onnx", "bitflip_length.onnx", "empty.onnx",
                      "huge_dims.onnx", "unknown_op.onnx"])
    func openReportsMissingAndCorruptedFiles(_ name: String) throws {
        let path = name.hasPrefix("/") ? name : Paths.fixture("corrupt/onnx/" + name).path
        var model: OpaquePointer?
        #expect(octet_open(path, OCTET_TARGET_CPU, 1, &model) == OCTET_BAD_FILE)
        #expect(model == nil)
        #expect(CAPI.lastError.hasPrefix(path + ": "), "\(CAPI.lastError)")
    }

    @Test func describingRejectsBadHandlesAndIndices() throws {
        let model = try CAPI.open(Self.mobileNet)
        var count = 0
        var info = octet_value_info()
        #expect(octet_input_count(nil, &count) == OCTET_INVALID_ARGUMENT)
        #expect(octet_output_count(model, nil) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError == "count is NULL")
        #expect(octet_input_info(model, 1, &info) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError == "input index 1 is out of range: the model has 1 input(s)")
        #expect(octet_output_info(model, -1, &info) == OCTET_INVALID_ARGUMENT)
        #expect(octet_input_info(model, 0, nil) == OCTET_INVALID_ARGUMENT)
        #expect(octet_output_info(OpaquePointer(bitPattern: 0xdead_beef), 0, &info) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError.contains("not an open model"))
        #expect(octet_close(model) == OCTET_OK)
        for status in [octet_input_count(model, &count), octet_output_count(model, &count),
                       octet_input_info(model, 0, &info), octet_output_info(model, 0, &info)] {
            #expect(status == OCTET_INVALID_ARGUMENT)
            #expect(CAPI.lastError.contains("not an open model (closed"))
        }
    }

    @Test func runRejectsInputsThatDoNotFit() throws {
        let model = try CAPI.open(Self.mobileNet)
        defer { octet_close(model) }
        var values = [Float](repeating: 0.5, count: 3 * 224 * 224)
        var out = [Float](repeating: 0, count: 1000)
        values.withUnsafeMutableBytes { input in
            out.withUnsafeMutableBytes { output in
                let good = CAPI.tensor(dtype: OCTET_FLOAT32, shape: [1, 3, 224, 224], data: input.baseAddress,
                                       bytes: input.count)
                var o = CAPI.tensor(dtype: OCTET_DTYPE_UNKNOWN, shape: [], data: output.baseAddress, bytes: output.count)
                func run(_ i: octet_tensor, outputs: Int = 1) -> octet_status {
                    var i = i
                    return octet_run(model, &i, 1, &o, outputs)
                }
                func expectInvalid(_ i: octet_tensor, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
                    #expect(run(i) == OCTET_INVALID_ARGUMENT, sourceLocation: sourceLocation)
                    #expect(CAPI.lastError.contains(message), "\(CAPI.lastError)", sourceLocation: sourceLocation)
                }
                var t = good
                t.dtype = OCTET_INT8
                expectInvalid(t, "input \"input\" is f32, got i8")
                t = good
                t.dtype = octet_dtype(rawValue: 99)
                expectInvalid(t, "unknown dtype 99")
                t = good
                t.bytes -= 4
                expectInvalid(t, "takes 602112 bytes, the buffer has 602108")
                t = CAPI.tensor(dtype: OCTET_FLOAT32, shape: [1, 4, 224, 168], data: input.baseAddress, bytes: input.count)
                expectInvalid(t, "has 3 at axis 1")
                t = CAPI.tensor(dtype: OCTET_FLOAT32, shape: [3, 224, 224], data: input.baseAddress, bytes: input.count)
                expectInvalid(t, "has rank 4")
                t = good
                t.rank = 9
                expectInvalid(t, "rank must be 0 to 8")
                t = CAPI.tensor(dtype: OCTET_FLOAT32, shape: [-1, 3, 224, 224], data: input.baseAddress, bytes: input.count)
                expectInvalid(t, "negative dimension")
                t = good
                t.data = nil
                expectInvalid(t, "data is NULL")
                "nope".withCString { name in
                    t = good
                    t.name = name
                    expectInvalid(t, "the model has no input \"nope\" (inputs: input)")
                }
                // Counts and pointers.
                var i = good
                #expect(octet_run(model, &i, 2, &o, 1) == OCTET_INVALID_ARGUMENT)
                #expect(CAPI.lastError == "the model takes 1 input(s), got 2")
                #expect(octet_run(model, nil, 1, &o, 1) == OCTET_INVALID_ARGUMENT)
                #expect(octet_run(model, &i, 1, nil, 1) == OCTET_INVALID_ARGUMENT)
                #expect(octet_run(model, &i, 1, &o, 2) == OCTET_INVALID_ARGUMENT)
                #expect(CAPI.lastError == "the model has 1 output(s), asked for 2")
                #expect(octet_run(nil, &i, 1, &o, 1) == OCTET_INVALID_ARGUMENT)
                // An output buffer too small: the status says so and the output's shape tells the size.
                var small = CAPI.tensor(dtype: OCTET_DTYPE_UNKNOWN, shape: [], data: output.baseAddress, bytes: 3996)
                #expect(octet_run(model, &i, 1, &small, 1) == OCTET_INVALID_ARGUMENT)
                #expect(CAPI.lastError == "output \"logits\" needs 4000 bytes, the buffer has 3996")
                #expect(CAPI.shape(small) == [1, 1000])
                #expect(small.dtype == OCTET_FLOAT32)
                var noData = CAPI.tensor(dtype: OCTET_DTYPE_UNKNOWN, shape: [], data: nil, bytes: 4000)
                #expect(octet_run(model, &i, 1, &noData, 1) == OCTET_INVALID_ARGUMENT)
                #expect(CAPI.lastError == "output \"logits\": data is NULL")
                // The same call with everything right succeeds, so each failure above was the one flaw.
                #expect(octet_run(model, &i, 1, &o, 1) == OCTET_OK, "\(CAPI.lastError)")
                #expect(o.bytes == 4000)
            }
        }
    }

    @Test func runRejectsAnInputGivenTwice() throws {
        let model = try CAPI.open(Self.addModel)
        defer { octet_close(model) }
        var count = 0
        #expect(octet_input_count(model, &count) == OCTET_OK)
        try #require(count == 2)
        var info = octet_value_info()
        #expect(octet_input_info(model, 0, &info) == OCTET_OK)
        var a = [Float](repeating: 0, count: Int(CAPI.shape(info).reduce(1, *)))
        try a.withUnsafeMutableBytes { bytes in
            let t = CAPI.tensor(dtype: OCTET_FLOAT32, shape: CAPI.shape(info), data: bytes.baseAddress, bytes: bytes.count)
            var pair = [t, t]
            pair[0].name = info.name
            pair[1].name = info.name
            var out = octet_tensor()
            #expect(octet_run(model, &pair, 2, &out, 0) == OCTET_INVALID_ARGUMENT)
            #expect(CAPI.lastError == "input \"\(String(cString: info.name))\" is given twice")
        }
    }

    @Test func closeRejectsNullAndClosedHandles() throws {
        let model = try CAPI.open(Self.addModel)
        #expect(octet_close(nil) == OCTET_INVALID_ARGUMENT)
        #expect(octet_close(model) == OCTET_OK)
        #expect(octet_close(model) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError.contains("not an open model"))
        var count = 0
        var info = octet_value_info()
        var t = octet_tensor(), u = octet_tensor()
        #expect(octet_run(model, &t, 0, &u, 0) == OCTET_INVALID_ARGUMENT)
        #expect(octet_input_info(model, 0, &info) == OCTET_INVALID_ARGUMENT)
        #expect(octet_output_count(model, &count) == OCTET_INVALID_ARGUMENT)
    }

    @Test func quantizeRejectsBadArguments() throws {
        let out = NSTemporaryDirectory() + "capi-bad-\(getpid()).onnx"
        let dev8 = Paths.fixture("rec/dev8.rec").path
        #expect(octet_quantize_options_init(nil) == OCTET_INVALID_ARGUMENT)
        var options = octet_quantize_options()
        #expect(octet_quantize_options_init(&options) == OCTET_OK)
        #expect(options.samples == 100 && options.batch == 8 && options.per_channel == 1 && options.image_size == 224)
        #expect(octet_quantize(nil, dev8, out, nil) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError == "model_path is NULL")
        #expect(octet_quantize(Self.mobileNet, nil, out, nil) == OCTET_INVALID_ARGUMENT)
        #expect(octet_quantize(Self.mobileNet, dev8, nil, nil) == OCTET_INVALID_ARGUMENT)
        #expect(octet_quantize("/nonexistent.onnx", dev8, out, nil) == OCTET_BAD_FILE)
        #expect(CAPI.lastError.hasPrefix("/nonexistent.onnx: "))
        #expect(octet_quantize(Self.mobileNet, "/nonexistent.rec", out, nil) == OCTET_BAD_FILE)
        #expect(CAPI.lastError.hasPrefix("/nonexistent.rec: "), "\(CAPI.lastError)")
        #expect(octet_quantize(Paths.fixture("corrupt/onnx/truncated_in_graph.onnx").path, dev8, out, nil) == OCTET_BAD_FILE)
        "median".withCString { options.mode = $0; #expect(octet_quantize(Self.mobileNet, dev8, out, &options) == OCTET_INVALID_ARGUMENT) }
        #expect(CAPI.lastError.hasPrefix("mode must be one of global, max"), "\(CAPI.lastError)")
        options.mode = nil
        options.batch = 0
        #expect(octet_quantize(Self.mobileNet, dev8, out, &options) == OCTET_INVALID_ARGUMENT)
        #expect(CAPI.lastError == "batch must be 1 to 4096, got 0")
        options.batch = 8
        options.threads = 999
        #expect(octet_quantize(Self.mobileNet, dev8, out, &options) == OCTET_INVALID_ARGUMENT)
        options.threads = 0
        "pytorch".withCString { options.preset = $0; #expect(octet_quantize(Self.mobileNet, dev8, out, &options) == OCTET_INVALID_ARGUMENT) }
        #expect(CAPI.lastError.contains("preset must be one of"))
        #expect(!FileManager.default.fileExists(atPath: out), "no failed call wrote the output")
    }

    /// The last error is per thread: two threads fail differently, and only then read, each its own message.
    @Test func lastErrorIsPerThread() throws {
        let names = ["/nonexistent/a.onnx", "/nonexistent/b.onnx"]
        let failed = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let finished = DispatchGroup()
        let results = MessageSlots()
        for i in 0..<2 {
            finished.enter()
            Thread {
                var model: OpaquePointer?
                _ = octet_open(names[i], OCTET_TARGET_CPU, 1, &model)
                failed[i].signal()
                failed[1 - i].wait()
                results.set(i, String(cString: octet_last_error()))
                finished.leave()
            }.start()
        }
        finished.wait()
        for i in 0..<2 { #expect(results.get(i).hasPrefix(names[i] + ": "), "\(results.get(i))") }
    }
}

final class MessageSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots = ["", ""]
    func set(_ i: Int, _ text: String) { lock.lock(); slots[i] = text; lock.unlock() }
    func get(_ i: Int) -> String { lock.lock(); defer { lock.unlock() }; return slots[i] }
}
