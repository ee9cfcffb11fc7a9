import OctetIR

/// Which nodes of a QDQ graph run as integers after realize, and why each of the others stayed float.
public struct RealizeReport: Sendable {
    public struct Entry: Sendable, Equatable {
        public var node: String
        public var op: String
        /// The integer op that runs it (a folded Relu names the op it was folded into); nil when float.
        public var integer: String?
        /// Why it stayed float; nil when integer.
        public var reason: String?
        /// Whether it sits between Q/DQ nodes but could not lower (bad or unsupported parameters): worth a
        /// warning, unlike an op the model leaves float on purpose.
        public var failedToLower = false
    }

    /// The compute nodes of the QDQ graph in order (Q/DQ, constants and identities left out).
    public var entries: [Entry]
    /// QuantizeLinear and DequantizeLinear nodes left at the borders of the integer regions.
    public var quantizeBorders: Int
    public var dequantizeBorders: Int

    init(original: Graph, lowerings: [Int: Lowering], replacedBy: [Int: Int], refusals: [Int: RealizeRefusal],
         lowered: Graph) {
        entries = []
        for (i, node) in original.nodes.enumerated() {
            switch node.op {
            // Borders and nodes that compute nothing are not listed.
            case .quantizeLinear, .dequantizeLinear, .constant, .identity, .dropout: continue
            default: break
            }
            if let group = replacedBy[i], let lowering = lowerings[group] {
                let ops = lowering.nodes.map(\.op.onnxName).joined(separator: " + ")
                entries.append(Entry(node: node.name, op: node.op.onnxName, integer: ops, reason: nil))
            } else if let out = node.outputs.first, let t = lowered.valueInfo[out]?.dtype, t == .i8 || t == .u8 {
                // A reshape-family op that a hoisted QuantizeLinear now feeds: it moves integers as they are.
                entries.append(Entry(node: node.name, op: node.op.onnxName, integer: node.op.onnxName, reason: nil))
            } else {
                let reason = refusals[i]?.description ?? Self.floatReason(node.op)
                entries.append(Entry(node: node.name, op: node.op.onnxName, integer: nil, reason: reason,
                                     failedToLower: refusals[i].map { !$0.notQuantized } ?? false))
            }
        }
        quantizeBorders = lowered.nodes.filter { if case .quantizeLinear = $0.op { true } else { false } }.count
        dequantizeBorders = lowered.nodes.filter { if case .dequantizeLinear = $0.op { true } else { false } }.count
    }

    private static func floatReason(_ op: Op) -> String {
        switch op {
        case .unary(.relu), .clip: "a Relu or Clip folds only into the quantized op it follows"
        default: "\(op.onnxName) has no integer form in Octet"
        }
    }

    /// One line per op that sits between Q/DQ nodes but stays float, for a warning.
    public var warnings: [String] {
        entries.filter(\.failedToLower).map { "\($0.op) \"\($0.node)\" runs in float: \($0.reason ?? "")" }
    }

    public var integerCount: Int { entries.filter { $0.integer != nil }.count }

    /// Runs of consecutive integer or float nodes, the float ones with their reasons.
    public var text: String {
        var lines = ["\(integerCount) of \(entries.count) ops run as integers; "
            + "\(quantizeBorders) QuantizeLinear and \(dequantizeBorders) DequantizeLinear at the borders"]
        var k = 0
        while k < entries.count {
            let integer = entries[k].integer != nil
            var end = k
            while end + 1 < entries.count && (entries[end + 1].integer != nil) == integer { end += 1 }
            let run = entries[k...end]
            if integer {
                var counts: [String: Int] = [:]
                for e in run { counts[e.op, default: 0] += 1 }
                let ops = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                lines.append("integer  \(run.count) ops from \"\(entries[k].node)\" to \"\(entries[end].node)\": \(ops)")
            } else {
                for e in run { lines.append("float    \(e.op) \"\(e.node)\": \(e.reason ?? "")") }
            }
            k = end + 1
        }
        return lines.joined(separator: "\n")
    }
}
