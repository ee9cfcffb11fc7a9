import OctetIR

/// A QDQ graph with every quantized layer but one put back to float: what `octet compare` runs to show
/// each layer's share of the final error (the output SQNR when only that layer is quantized).
///
/// A layer is a node of the QDQ graph that reads a DequantizeLinear output (`x_dequantized`, as
/// `octet quantize` names them): a conv with its quantized input and weights, an add with its two inputs.
/// The other layers read `x` again: the float tensor, or the float model's initializer for a weight.
public enum LayerIsolation {
    /// The layers of `quantized` in node order: the nodes that read a dequantized value of a tensor `float`
    /// also has.
    public static func layers(quantized: Graph, float: Graph) -> [String] {
        let restorable = Set(dequantized(quantized, float).keys)
        return quantized.nodes.filter { node in
            !isQDQ(node) && node.inputs.contains { restorable.contains($0) }
        }.map(\.name)
    }

    /// `quantized` with only `layer` reading dequantized values; the other readers get the float tensors,
    /// and the Q/DQ nodes no one reads any more are dropped.
    public static func keeping(_ layer: String, quantized: Graph, float: Graph) -> Graph {
        let restore = dequantized(quantized, float)
        var out = quantized
        for i in out.nodes.indices where out.nodes[i].name != layer && !isQDQ(out.nodes[i]) {
            for (slot, name) in out.nodes[i].inputs.enumerated() {
                guard let original = restore[name] else { continue }
                out.nodes[i].inputs[slot] = original
                if let constant = float.initializers[original], quantized.initializers[original] == nil {
                    out.initializers[original] = constant
                }
            }
        }
        return droppingUnread(out)
    }

    /// `x_dequantized` → `x` for every DequantizeLinear output whose `x` is a tensor, input or initializer of
    /// the float graph.
    private static func dequantized(_ quantized: Graph, _ float: Graph) -> [String: String] {
        let known = Set(float.nodes.flatMap(\.outputs)).union(float.inputs.map(\.name)).union(float.initializers.keys)
        var out: [String: String] = [:]
        for node in quantized.nodes {
            guard case .dequantizeLinear = node.op, let dq = node.outputs.first, dq.hasSuffix("_dequantized") else {
                continue
            }
            let base = String(dq.dropLast("_dequantized".count))
            if known.contains(base) { out[dq] = base }
        }
        return out
    }

    private static func isQDQ(_ node: Node) -> Bool {
        switch node.op {
        case .quantizeLinear, .dequantizeLinear: true
        default: false
        }
    }

    /// Without the nodes whose outputs nothing reads (repeatedly), and the initializers nothing reads.
    private static func droppingUnread(_ graph: Graph) -> Graph {
        var out = graph
        let declared = Set(graph.outputs.map(\.name))
        while true {
            let read = Set(out.nodes.flatMap(\.inputs)).union(declared)
            let kept = out.nodes.filter { node in node.outputs.contains { read.contains($0) } }
            if kept.count == out.nodes.count { break }
            out.nodes = kept
        }
        let read = Set(out.nodes.flatMap(\.inputs)).union(declared)
        out.initializers = out.initializers.filter { read.contains($0.key) }
        return out
    }
}
