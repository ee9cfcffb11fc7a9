import Foundation
import OctetIR

/// The CPU backend: reference kernels for every op, fast kernels where they matter, `threads` workers.
public struct CPUBackend: Backend, NodeEvaluator {
    /// One worker per active processor.
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
    public let threads: Int
    public var name: String { "cpu" }

    public init(threads: Int = CPUBackend.defaultThreads) { self.threads = max(1, threads) }

    /// Supported unless the op needs something these kernels lack; the reason names what.
    public func supports(_ node: Node, in graph: Graph) -> Support {
        func dtype(_ i: Int) -> DType? {
            guard let name = node.input(i) else { return nil }
            return graph.initializers[name]?.dtype ?? graph.valueInfo[name]?.dtype
                ?? graph.inputs.first { $0.name == name }?.dtype
        }
        func spatialRank(_ i: Int) -> Int? {
            guard let name = node.input(i) else { return nil }
            if let t = graph.initializers[name] { return t.rank - 2 }
            return graph.valueInfo[name]?.shape.map { $0.count - 2 }
        }
        func floatOnly(_ i: Int) -> Support {
            if let t = dtype(i), !t.isFloatingPoint {
                return .unsupported(reason: "\(node.op.onnxName) on \(t) has no CPU kernel (f32 and f16 only)")
            }
            return .supported
        }
        func atMostThreeSpatialAxes(_ rank: Int?) -> Support {
            if let rank, rank > 3 {
                return .unsupported(reason: "\(node.op.onnxName) with \(rank) spatial axes (the CPU handles 1 to 3)")
            }
            return floatOnly(0)
        }
        switch node.op {
        case .conv(let a): return atMostThreeSpatialAxes(a.kernelShape?.count ?? spatialRank(1))
        case .convTranspose(let a): return atMostThreeSpatialAxes(a.conv.kernelShape?.count ?? spatialRank(1))
        case .maxPool(let a):
            // MaxPool also runs on the integers of a realized graph.
            if let t = dtype(0), t == .i8 || t == .u8 { return a.kernelShape.count <= 3 ? .supported
                : .unsupported(reason: "MaxPool with \(a.kernelShape.count) spatial axes (the CPU handles 1 to 3)") }
            return atMostThreeSpatialAxes(a.kernelShape.count)
        case .averagePool(let a): return atMostThreeSpatialAxes(a.kernelShape.count)
        case .gemm, .matMul, .unary(.sqrt), .unary(.sigmoid), .unary(.tanh), .unary(.erf), .unary(.hardSwish), .unary(.floor),
             .leakyRelu, .hardSigmoid, .softmax, .reduceMean, .globalAveragePool, .globalMaxPool:
            return floatOnly(0)
        case .batchNormalization:
            if node.outputs.filter({ !$0.isEmpty }).count > 1 {
                return .unsupported(reason: "BatchNormalization in training mode (running statistics as outputs)")
            }
            return floatOnly(0)
        case .binary, .clip:
            if dtype(0) == .bool { return .unsupported(reason: "\(node.op.onnxName) on bool") }
            return .supported
        case .range:
            if let t = dtype(0), t == .i8 || t == .u8 || t == .bool {
                return .unsupported(reason: "Range on \(t) (f32, f16, i32 and i64 only)")
            }
            return .supported
        case .resize(let a):
            return a.mode == .nearest ? .supported : floatOnly(0)
        case .quantizeLinear:
            if let t = dtype(2), t != .i8 && t != .u8 {
                return .unsupported(reason: "QuantizeLinear to \(t) (int8 and uint8 only)")
            }
            return floatOnly(0)
        case .dequantizeLinear:
            if let t = dtype(0), t != .i8 && t != .u8 && t != .i32 {
                return .unsupported(reason: "DequantizeLinear from \(t) (int8, uint8 and int32 only)")
            }
            return .supported
        case .convInteger(let a):
            if let k = a.kernelShape, k.count > 3 {
                return .unsupported(reason: "ConvInteger with \(k.count) spatial axes (the CPU handles 1 to 3)")
            }
            return .supported
        case .matMulInteger, .requantize, .qlinearAdd, .qlinearGlobalAveragePool:
            return .supported
        case .dynamicQuantizeLinear:
            return floatOnly(0)
        case .unary(.relu), .concat, .split, .reshape, .flatten, .transpose, .squeeze, .unsqueeze, .pad, .slice,
             .gather, .shape, .constantOfShape, .expand, .constant, .identity, .dropout, .cast:
            return .supported
        }
    }

    public func compile(_ graph: Graph) throws -> any CompiledModel {
        for node in graph.nodes {
            if case .unsupported(let reason) = supports(node, in: graph) {
                throw IRError.unsupported("node \"\(node.name)\": \(reason)")
            }
        }
        return try Interpreter(graph: graph, threads: threads)
    }

    /// The kernel that runs each node of `graph` once compiled ("reference", "folded", or a fast kernel's
    /// name), in node order: how a test proves that a fast path ran.
    public func kernelNames(_ graph: Graph) -> [String] { FastPlan(graph: graph).kernelNames }

    /// Whether a compiled `graph` runs a batch as runs of a few images dealt to the threads (`BatchSplit`):
    /// every image computed from that image alone.
    public func splitsBatches(_ graph: Graph) -> Bool { BatchSplit.isSeparable(graph) }

    /// How many images each run of a split batch of `batch` holds (`BatchSplit.imagesPerRun`).
    public func imagesPerRun(_ graph: Graph, batch: Int) -> Int {
        BatchSplit.imagesPerRun(imageBytes: BatchSplit.largestImageBytes(graph), batch: batch, threads: threads)
    }

    /// Where the time of `runs` runs of `graph` goes: per node, its op, the kernel that ran it and the
    /// mean milliseconds (`octet bench --profile`).
    public func profile(_ graph: Graph, inputs: [String: Tensor], runs: Int) throws
        -> [(node: String, op: String, kernel: String, milliseconds: Double)] {
        let interpreter = try compile(graph) as! Interpreter
        var total: [UInt64]? = [UInt64](repeating: 0, count: graph.nodes.count)
        for _ in 0..<max(1, runs) { _ = try interpreter.run(inputs, nanoseconds: &total) }
        let kernels = kernelNames(graph)
        return graph.nodes.indices.map { i in
            (graph.nodes[i].name, graph.nodes[i].op.onnxName, kernels[i], Double(total![i]) / 1e6 / Double(max(1, runs)))
        }
    }

    public func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor] {
        try Kernels.run(KernelContext(node: node, inputs: inputs, threads: threads))
    }
}
