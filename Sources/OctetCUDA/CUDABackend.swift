import Foundation
import OctetIR

/// The CUDA target: the graph lowered to the kernels in `Kernels/`, compiled by nvcc for the GPU it runs on.
public struct CUDABackend: Backend {
    public struct Options: Sendable {
        /// Replay each program as a CUDA graph (`OCTET_CUDA_GRAPHS=0` turns it off, to debug a launch).
        public var useGraphs: Bool
        /// Bytes of guard after every buffer, checked after each run (0: none; `octet test-ops` sets it).
        public var guardBytes: Int

        public init(useGraphs: Bool = ProcessInfo.processInfo.environment["OCTET_CUDA_GRAPHS"] != "0", guardBytes: Int = 0) {
            self.useGraphs = useGraphs
            self.guardBytes = guardBytes
        }
    }

    public var name: String { "cuda" }
    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Everything the target needs, checked at once: the driver, a GPU, the kernel sources and nvcc. Returns
    /// one line naming them ("NVIDIA H100 80GB HBM3 (sm_90, 132 SMs), driver CUDA 13.0, nvcc 13.0, kernels in
    /// ..."), or throws the first thing missing.
    public static func preflight() throws(CUDAError) -> String {
        let device = try Device.open()
        let kernels = try KernelSources.locate()
        let nvcc = try NVCC.find()
        return "\(device.name) (\(device.architecture), \(device.multiprocessors) SMs), driver CUDA \(try Driver.version()), "
            + "nvcc \(nvcc.version), kernels in \(kernels)"
    }

    public func supports(_ node: Node, in graph: Graph) -> Support {
        func dtype(_ name: String?) -> DType? {
            guard let name else { return nil }
            return graph.initializers[name]?.dtype ?? graph.valueInfo[name]?.dtype ?? graph.inputs.first { $0.name == name }?.dtype
        }
        let first = dtype(node.input(0))
        switch node.op {
        case .quantizeLinear, .dequantizeLinear, .requantize, .convInteger, .matMulInteger, .qlinearAdd,
             .qlinearGlobalAveragePool, .maxPool, .reshape, .flatten, .squeeze, .unsqueeze, .identity, .dropout,
             .concat, .constant, .transpose, .slice, .split, .expand, .pad:
            return .supported
        case .resize(let a):
            if a.mode != .nearest, let first, first != .f32 {
                return .unsupported(reason: "\(a.mode.rawValue) Resize on \(first) (float32 only on cuda)")
            }
            return .supported
        case .unary, .leakyRelu, .hardSigmoid, .clip, .binary, .softmax, .conv, .convTranspose, .gemm, .matMul, .averagePool,
             .globalAveragePool, .globalMaxPool, .batchNormalization, .reduceMean:
            if let first, first != .f32 { return .unsupported(reason: "\(node.op.onnxName) on \(first) (float32 only on cuda)") }
            return .supported
        case .dynamicQuantizeLinear:
            return .unsupported(reason: "DynamicQuantizeLinear has no CUDA kernel yet (dynamic quantization runs on the cpu target)")
        default:
            return .unsupported(reason: "\(node.op.onnxName) has no CUDA kernel yet")
        }
    }

    /// Opens the GPU and checks every node before anything is planned, so a model with ops the CUDA kernels
    /// lack fails at once with all of them named, never by falling back to the CPU.
    public func compile(_ graph: Graph) throws -> any CompiledModel {
        let missing = graph.nodes.compactMap { node -> String? in
            if case .unsupported(let reason) = supports(node, in: graph) { return "node \"\(node.name)\": \(reason)" }
            return nil
        }
        if !missing.isEmpty {
            throw CUDAError.unsupported("\(missing.count) node(s) have no CUDA kernel:\n  " + missing.joined(separator: "\n  ")
                                        + "\nrun this model with --target cpu")
        }
        let device = try Device.open()
        let sources = try KernelSources(directory: KernelSources.locate())
        let library = device.library(sources)
        return try CUDAModel(graph: graph, device: device, library: library, options: options)
    }

    /// Whether `graph` runs on the CUDA target, decided without a GPU: the nodes without a kernel, or else the
    /// launches, kernels and device memory of one run at `inputShapes` (`octet inspect --target cuda`).
    public func report(_ graph: Graph, inputShapes: [String: [Int]]) -> String {
        let missing = graph.nodes.compactMap { node -> String? in
            if case .unsupported(let reason) = supports(node, in: graph) { return "  \(node.name): \(reason)" }
            return nil
        }
        guard missing.isEmpty else {
            return "cuda: \(missing.count) of \(graph.nodes.count) nodes have no CUDA kernel:\n" + missing.joined(separator: "\n")
        }
        let plan: ProgramPlan
        do { plan = try Self.plan(graph, inputShapes: inputShapes) } catch { return "cuda: \(error)" }
        var counts: [String: Int] = [:]
        for l in plan.launches { counts[l.kernel, default: 0] += 1 }
        let kernels = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        let activations = MemoryPlan(plan.buffers).totalBytes
        let constants = plan.constants.reduce(0) { $0 + $1.bytes.count }
        let shapes = inputShapes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "cuda: every node has a kernel; one run at \(shapes) is \(plan.launches.count) launches (\(kernels)), "
            + String(format: "%.2f MB of activations, %.2f MB of weights and parameters", Double(activations) / 1e6,
                     Double(constants) / 1e6)
    }

    /// The launches a graph lowers to for the given input shapes, without a GPU: what tests and
    /// `octet inspect` look at.
    /// A shape-dependent form the kernels lack is an `IRError.unsupported`, as from any backend.
    public static func plan(_ graph: Graph, inputShapes: [String: [Int]]) throws -> ProgramPlan {
        let bound = try graph.bindingInputShapes(inputShapes).inferringShapes()
        return try ProgramBuilder.buildForRunners(bound)
    }
}
