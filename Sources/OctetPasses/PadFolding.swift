import OctetIR

/// A constant Pad read only by a convolution becomes more of the convolution's own padding.
///
/// Exact: a float Conv's padding is zeros, so a Pad with 0 before it changes nothing once its amounts join
/// the Conv's pads; an integer ConvInteger's padding is its input zero point (padded taps contribute
/// `(zp - zp)·w = 0`), so a Pad with that zero point folds the same way. TensorFlow-exported models (TF
/// "SAME" padding, EfficientNet-Lite) put such a Pad before every stride-2 convolution.
public struct PadFolding: GraphPass {
    public var name: String { "pad-folding" }

    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let readers = graph.consumers
        let outputs = Set(graph.outputs.map(\.name))
        var removed = Set<Int>()
        for (i, node) in graph.nodes.enumerated() {
            guard case .pad(.constant) = node.op, node.input(3) == nil, let padded = node.outputs.first,
                  !outputs.contains(padded), let r = readers[padded], r.count == 1, let source = node.input(0),
                  let padsName = node.input(1), let pads = graph.initializers[padsName]?.int64Values(),
                  pads.count % 2 == 0, pads.count >= 6 else { continue }
            let rank = pads.count / 2
            // Only spatial padding, none negative (a negative pad crops).
            guard pads.allSatisfy({ $0 >= 0 }), pads[0] == 0, pads[1] == 0, pads[rank] == 0, pads[rank + 1] == 0 else { continue }
            let c = r[0]
            var conv = g.nodes[c]
            guard conv.inputs.first == padded else { continue }
            let padValue = node.input(2).flatMap { graph.initializers[$0] }
            if node.input(2) != nil && padValue == nil { continue }
            var attributes: ConvAttributes
            switch conv.op {
            case .conv(let a):
                guard padValue.map({ $0.count == 1 && $0.floatValues()[0] == 0 }) ?? true else { continue }
                attributes = a
            case .convInteger(let a):
                let zero = conv.input(3).flatMap { graph.initializers[$0] }
                if conv.input(3) != nil && zero == nil { continue }
                let zeroValue = zero?.int64Values().first ?? 0, padInteger = padValue?.int64Values().first ?? 0
                guard (zero?.count ?? 1) == 1, (padValue?.count ?? 1) == 1, zeroValue == padInteger else { continue }
                attributes = a
            default:
                continue
            }
            let spatial = rank - 2
            guard attributes.autoPad == .notSet, attributes.kernelShape.map({ $0.count == spatial }) ?? true else { continue }
            let current = attributes.pads.isEmpty ? [Int](repeating: 0, count: 2 * spatial) : attributes.pads
            guard current.count == 2 * spatial else { continue }
            attributes.pads = (0..<2 * spatial).map { k in
                current[k] + Int(pads[k < spatial ? 2 + k : rank + 2 + (k - spatial)])
            }
            conv.op = { if case .convInteger = conv.op { .convInteger(attributes) } else { .conv(attributes) } }()
            conv.inputs[0] = source
            g.nodes[c] = conv
            removed.insert(i)
        }
        guard !removed.isEmpty else { return graph }
        g.nodes = g.nodes.indices.filter { !removed.contains($0) }.map { g.nodes[$0] }
        return try DeadCodeElimination().run(g)
    }
}
