import Foundation
import OctetIR

/// Per-tensor signal-to-quantization-noise ratio between a float model and its QDQ version, accumulated
/// over batches: SQNR = 10 log10(sum x^2 / sum (x - x_q)^2), in dB; higher is better, +inf is exact.
public struct LayerError: Sendable {
    public struct Entry: Sendable {
        public var tensor: String
        /// The float model's node that produces the tensor.
        public var node: String
        public var op: String
        public var sqnr: Double
    }

    /// Pairs of (float tensor, QDQ tensor): every `t_dequantized` of the QDQ graph whose `t` exists in the float graph.
    public static func pairs(float: Graph, quantized: Graph) -> [(float: String, quantized: String)] {
        let producers = float.producers
        var out: [(String, String)] = []
        for node in quantized.nodes {
            guard case .dequantizeLinear = node.op, let dq = node.outputs.first, dq.hasSuffix("_dequantized") else {
                continue
            }
            let base = String(dq.dropLast("_dequantized".count))
            if producers[base] != nil { out.append((base, dq)) }
        }
        return out
    }

    private var signal: [String: Double] = [:]
    private var noise: [String: Double] = [:]

    public init() {}

    public mutating func add(float: Tensor, quantized: Tensor, as tensor: String) {
        let x = float.floatValues(), y = quantized.floatValues()
        var s = 0.0, n = 0.0
        for i in 0..<min(x.count, y.count) {
            let a = Double(x[i]), d = a - Double(y[i])
            s += a * a
            n += d * d
        }
        signal[tensor, default: 0] += s
        noise[tensor, default: 0] += n
    }

    /// Entries worst first (lowest SQNR), ties by name.
    public func report(float: Graph) -> [Entry] {
        let producers = float.producers
        return signal.keys.map { t in
            let n = noise[t] ?? 0, s = signal[t] ?? 0
            let sqnr = n == 0 ? Double.infinity : 10 * log10(max(s, .leastNonzeroMagnitude) / n)
            let node = producers[t].map { float.nodes[$0] }
            return Entry(tensor: t, node: node?.name ?? t, op: node?.op.onnxName ?? "input", sqnr: sqnr)
        }.sorted { $0.sqnr != $1.sqnr ? $0.sqnr < $1.sqnr : $0.tensor < $1.tensor }
    }
}
