import OctetIR

/// Moves a per-tensor QuantizeLinear above the reshape-family op it reads, `Q(L(x)) = L(Q(x))`, so the op
/// before `L` meets its QuantizeLinear. Octet's annotate quantizes the input of a classifier's Gemm, after
/// the Flatten; hoisted, the GlobalAveragePool before the Flatten ends in a QuantizeLinear and lowers.
enum QuantizeHoisting {
    static func run(_ graph: Graph) -> Graph {
        let view = QDQView(graph)
        var names = FreshNames(graph)
        var g = graph
        var replaced: [Int: [Node]] = [:]
        for (i, node) in graph.nodes.enumerated() {
            switch node.op {
            case .reshape, .flatten, .transpose, .squeeze, .unsqueeze: break
            default: continue
            }
            guard let x = node.input(0), let out = node.outputs.first, view.soleReader(out) != nil,
                  case .success(let q) = view.soleQuantize(of: out), replaced[q.node] == nil else { continue }
            // An input that is already a DequantizeLinear's output lowers as it is.
            if let p = view.producer[x], case .dequantizeLinear = graph.nodes[p].op { continue }
            let quantizeNode = graph.nodes[q.node]
            let hoisted = names.make(x + "_quantized")
            var quantize = quantizeNode
            quantize.inputs[0] = x
            quantize.outputs = [hoisted]
            var moved = node
            moved.inputs[0] = hoisted
            moved.outputs = [q.output]
            replaced[i] = [quantize, moved]
            replaced[q.node] = []
        }
        guard !replaced.isEmpty else { return graph }
        g.nodes = graph.nodes.indices.flatMap { replaced[$0] ?? [graph.nodes[$0]] }
        return g
    }
}
