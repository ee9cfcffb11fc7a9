import Foundation
import Octet
import OctetCPU
import OctetFormats
import OctetIR
import OctetQuant
import OctetTestSupport
import XCTest
@testable import OctetCUDA

/// The CUDA backend's lowering and kernel sources, run by the host emulator, against the CPU backend:
/// integer outputs bit for bit, float outputs within the real-model tolerance. No GPU is involved; the
/// GPU run of the same plans is `Scripts/gpu-check.sh`.
final class EmulatedModelTests: XCTestCase {
    func emulator() throws -> HostKernelEmulator {
        do { return try HostKernelEmulator.make() } catch let e as HostKernelEmulator.EmulatorUnavailable where !e.isFailure {
            throw XCTSkip("SKIPPED: \(e.description)")
        }
    }

    /// Every int8 fixture (QDQ files from onnxruntime's quantizer), realized as the CUDA target runs them.
    func testInt8FixturesMatchTheCPUBitForBit() throws {
        let emulator = try emulator()
        let dir = Paths.fixture("int8")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertGreaterThan(names.count, 10)
        for name in names {
            let graph = try ModelLoader.load(.onnx(path: dir.appendingPathComponent(name + "/model.onnx").path), threads: 1)
            let realized = try Session.lower(graph, simulate: false, path: name)
            var feeds: [String: Tensor] = [:]
            for (k, info) in graph.inputs.enumerated() {
                feeds[info.name] = try NPY.read(path: dir.appendingPathComponent(name + "/input_\(k).npy").path)
            }
            let cpu = try CPUBackend(threads: 1).compile(realized).run(feeds)
            let cuda = try EmulatedCUDABackend(emulator: emulator).compile(realized).run(feeds)
            for (k, expected) in cpu {
                XCTAssertEqual(cuda[k], expected, "\(name): output \(k) differs from the CPU integer path")
            }
            let plan = try CUDABackend.plan(realized, inputShapes: feeds.mapValues(\.shape))
            if name.hasPrefix("conv") || name.hasPrefix("depthwise") {
                // The Requantize after each conv runs in the conv's epilogue, not as a launch of its own.
                XCTAssertTrue(plan.kernelNames.contains("octet_conv2d_int8"), name)
                XCTAssertFalse(plan.kernelNames.contains("octet_requantize_i32"), "\(name): \(plan.kernelNames)")
            }
        }
    }

    /// A whole int8 MobileNetV2 (quantized by Octet from the bundled float model, calibrated on the bundled
    /// records) and the float model itself.
    func testMobileNetV2Int8AndFloatMatchTheCPU() throws {
        let emulator = try emulator()
        let path = Paths.fixture("mobilenet_v2.onnx").path
        let float = try ModelLoader.load(.onnx(path: path), threads: 2)
        // The default form (uint8 after ReLU6, per-channel scales before depthwise convs, bias correction)
        // with the first conv quantized too, so every conv runs as integers: a float conv's sums run in
        // another order on each backend, and one flipped rounding after it would hide what this test checks.
        var config = QuantizationConfig()
        config.skipConv = []
        let job = QuantizeJob(config: config, calibration: CalibrationData(
            path: Paths.fixture("rec/dev8.rec").path, batch: 4, samples: 8), threads: 2)
        let int8 = try ModelLoader.canonicalize(job.run(float, path: path).candidates[0].graph, path: path, threads: 2)
        let realized = try Session.lower(int8, simulate: false, path: path)
        XCTAssertFalse(realized.nodes.contains { $0.op.onnxName == "Conv" }, "a conv stayed float")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let pixels = (0..<(3 * 224 * 224)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 4 - 2
        }
        let feeds = [float.inputs[0].name: Tensor(shape: [1, 3, 224, 224], floats: pixels)]
        let cpu = try CPUBackend(threads: 2).compile(realized).run(feeds)
        let cuda = try EmulatedCUDABackend(emulator: emulator).compile(realized).run(feeds)
        XCTAssertEqual(cuda, cpu, "int8 MobileNetV2: the CUDA plan differs from the CPU integer path")

        let cpuFloat = try CPUBackend(threads: 2).compile(float).run(feeds)
        let cudaFloat = try EmulatedCUDABackend(emulator: emulator).compile(float).run(feeds)
        for (k, expected) in cpuFloat {
            let got = try XCTUnwrap(cudaFloat[k])
            XCTAssertLessThan(relativeError(got, expected), Tolerance.realModelRelative, "float MobileNetV2 output \(k)")
        }
    }

    /// A real detector (NudeNet's YOLOv8-style 320n, from its wheel): convs, SiLU, Split, nearest Resize,
    /// Concat, Transpose, Softmax over the box bins. Every op lowers, and the float outputs match the CPU's.
    func testAYOLODetectorRunsWhollyOnTheCUDAPlan() throws {
        try checkRealModel("models/320n.onnx", shape: [1, 3, 320, 320], kernels: ["octet_gather_axes", "octet_softmax_f32"])
    }

    /// PP-OCRv4's text detector (from RapidOCR's wheel): hard-swish blocks, squeeze-excite, nearest Resize,
    /// a BatchNormalization no conv precedes, and two ConvTranspose layers upsampling the map.
    func testPPOCRTextDetectorRunsWhollyOnTheCUDAPlan() throws {
        try checkRealModel("models/ch_PP-OCRv4_det_infer.onnx", shape: [1, 3, 160, 160],
                           kernels: ["octet_conv_transpose2d_f32", "octet_channel_affine_f32", "octet_gather_axes"])
    }

    /// PP-OCRv4's text recognizer: convs, then a small transformer (LayerNorm as ReduceMean/Pow/Sqrt,
    /// attention as batched MatMul and Softmax) over the text line's columns.
    func testPPOCRTextRecognizerRunsWhollyOnTheCUDAPlan() throws {
        try checkRealModel("models/ch_PP-OCRv4_rec_infer.onnx", shape: [1, 3, 48, 160],
                           kernels: ["octet_reduce_mean_f32", "octet_batched_matmul_f32", "octet_softmax_f32"])
    }

    /// A float model from the fetched models, bound to `shape`, on the emulated CUDA plan against the CPU.
    private func checkRealModel(_ relative: String, shape: [Int], kernels: [String]) throws {
        let emulator = try emulator()
        let path = Paths.cache(relative).path
        guard Paths.exists(URL(fileURLWithPath: path)) else { return try Skip.missingData("\(path) (Scripts/fetch-models.sh)") }
        let graph = try ModelLoader.load(.onnx(path: path), threads: 2) { g in [g.inputs[0].name: shape] }
        var state: UInt64 = 7
        let pixels = (0..<shape.reduce(1, *)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        let feeds = [graph.inputs[0].name: Tensor(shape: shape, floats: pixels)]
        let plan = try CUDABackend.plan(graph, inputShapes: feeds.mapValues(\.shape))
        for k in kernels { XCTAssertTrue(plan.kernelNames.contains(k), "\(relative): no \(k) launch") }
        let cpu = try CPUBackend(threads: 2).compile(graph).run(feeds)
        let cuda = try EmulatedCUDABackend(emulator: emulator).compile(graph).run(feeds)
        for (k, expected) in cpu {
            let got = try XCTUnwrap(cuda[k])
            XCTAssertEqual(got.shape, expected.shape)
            XCTAssertLessThan(relativeError(got, expected), Tolerance.realModelRelative, "output \(k)")
        }
    }

    /// The guard bytes catch a kernel that writes past its buffer: a concat told its parts are one byte
    /// longer than they are.
    func testGuardBytesCatchAnOutOfBoundsWrite() throws {
        let emulator = try emulator()
        let graph = Graph(inputs: [ValueInfo(name: "a", dtype: .u8, shape: [.fixed(1), .fixed(3)]),
                                   ValueInfo(name: "b", dtype: .u8, shape: [.fixed(1), .fixed(2)])],
                          outputs: [ValueInfo(name: "y", dtype: .u8, shape: [.fixed(1), .fixed(5)])],
                          nodes: [Node(name: "cat", op: .concat(axis: 1), inputs: ["a", "b"], outputs: ["y"])])
        let feeds = ["a": Tensor(shape: [1, 3], uint8s: [1, 2, 3]), "b": Tensor(shape: [1, 2], uint8s: [4, 5])]
        XCTAssertEqual(try EmulatedCUDABackend(emulator: emulator).compile(graph).run(feeds)["y"],
                       Tensor(shape: [1, 5], uint8s: [1, 2, 3, 4, 5]))
        var plan = try CUDABackend.plan(graph, inputShapes: feeds.mapValues(\.shape))
        plan.launches[1].arguments[5] = .int64(4)  // the second part written one byte too far
        let memory = MemoryPlan(plan.buffers, reuse: false, guardBytes: 16)
        XCTAssertEqual(memory.offsets.count, 3)
        XCTAssertThrowsError(try runPlan(plan, emulator: emulator, feeds: feeds)) { error in
            XCTAssertTrue("\(error)".contains("past its end"), "\(error)")
        }
    }

    private func runPlan(_ plan: ProgramPlan, emulator: HostKernelEmulator, feeds: [String: Tensor]) throws {
        struct Fixed: CompiledModel {
            let plan: ProgramPlan
            let emulator: HostKernelEmulator
            func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
                try EmulatedModel(graph: Graph(), emulator: emulator).run(plan: plan, inputs)
            }
        }
        _ = try Fixed(plan: plan, emulator: emulator).run(feeds)
    }
}
