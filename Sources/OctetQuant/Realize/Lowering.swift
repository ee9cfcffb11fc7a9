import OctetIR

/// What one selector made of a group of nodes: the integer nodes that replace them.
struct Lowering {
    /// Nodes of the QDQ graph the group replaces (its op, a folded Relu or Clip, its QuantizeLinear).
    var replaced: [Int]
    /// The integer nodes, placed where the group's op was.
    var nodes: [Node]
    var initializers: [String: Tensor] = [:]
}

/// Fresh value and node names for a rewrite, never colliding with the graph's.
struct FreshNames {
    private var used: Set<String>

    init(_ graph: Graph) {
        used = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        for node in graph.nodes {
            used.formUnion(node.outputs)
            used.insert(node.name)
        }
    }

    mutating func make(_ base: String) -> String {
        var name = base, k = 2
        while used.contains(name) {
            name = "\(base)_\(k)"
            k += 1
        }
        used.insert(name)
        return name
    }
}

/// The tail of a quantized op: an optional Relu or Clip, then the QuantizeLinear that alone reads it.
struct QuantizedTail {
    var quantize: QDQView.Quantize
    var bounds: IntegerBounds
    /// The folded activation node, if any.
    var activation: Int?

    var replaced: [Int] { (activation.map { [$0] } ?? []) + [quantize.node] }

    /// The tail after `value`, or why there is none: nil when `value` is read as float (no QuantizeLinear).
    static func after(_ value: String, in view: QDQView, perChannel: Bool = false) -> Result<QuantizedTail, RealizeRefusal> {
        // A QuantizeLinear right after the op, with no activation between.
        let direct = view.soleQuantize(of: value, perChannel: perChannel).map {
            QuantizedTail(quantize: $0, bounds: IntegerBounds(), activation: nil)
        }
        if case .success = direct { return direct }
        guard let a = view.soleReader(value), view.graph.nodes[a].inputs.first == value,
              let out = view.graph.nodes[a].outputs.first else { return direct }
        let node = view.graph.nodes[a]
        let range: (Float, Float)
        switch node.op {
        case .unary(.relu): range = (0, .infinity)
        case .clip:
            func bound(_ i: Int, _ absent: Float) -> Float? {
                guard let name = node.input(i) else { return absent }
                guard let t = view.constants[name], t.dtype == .f32, t.count == 1 else { return nil }
                return t.floatValues()[0]
            }
            guard let lo = bound(1, -.infinity), let hi = bound(2, .infinity), !lo.isNaN, !hi.isNaN, lo <= hi else {
                return .failure("Clip \"\(node.name)\" has bounds that are not constants")
            }
            range = (lo, hi)
        default:
            return direct
        }
        // Quantizing is monotone, so Q(clamp(x, lo, hi)) = clamp(Q(x), Q(lo), Q(hi)): the clamp moves into the
        // integer bounds exactly.
        return view.soleQuantize(of: out, perChannel: perChannel).flatMap { q in
            // Per channel, the bounds must land on the same integers in every channel (0 always does).
            func bound(_ x: Float) -> Int32?? {
                if x.isInfinite { return .some(nil) }
                let values = Set(q.scales.indices.map { q.quantized(x, channel: $0) })
                guard values.count == 1, let value = values.first else { return nil }
                return .some(value)
            }
            guard let lower = bound(range.0), let upper = bound(range.1) else {
                return .failure("\(node.op.onnxName) \"\(node.name)\" clamps to bounds that differ between channels")
            }
            return .success(QuantizedTail(quantize: q, bounds: IntegerBounds(lower: lower, upper: upper), activation: a))
        }
    }
}
