/// The text form of a graph, for `octet inspect --graph`.
///
/// ```
/// graph "mobilenet_v2"
/// inputs:
///   %input: f32[N,3,224,224]
/// initializers: 2 tensors, 896 values
///   %w: f32[32,3,3,3]
///   %b: f32[32]
/// nodes:
///   %c: f32[N,32,112,112] = Conv(%input, %w, %b) {strides=[2,2], pads=[1,1,1,1], group=1}  # conv_0
/// outputs:
///   %c: f32[N,32,112,112]
/// ```
/// Initializers are listed in order of first use, then by name; their data is never printed.
extension Graph {
    /// A readable listing of the graph, one node per line, for `octet inspect --graph`.
    public var text: String {
        var lines: [String] = ["graph \"\(name)\""]
        lines.append("inputs:")
        for v in inputs { lines.append("  %\(v.name): \(Graph.typeText(v))") }

        let order = initializerOrder
        let values = initializers.values.reduce(0) { $0 + $1.count }
        lines.append("initializers: \(order.count) tensor\(order.count == 1 ? "" : "s"), \(values) value\(values == 1 ? "" : "s")")
        for name in order {
            guard let t = initializers[name] else { continue }
            lines.append("  %\(name): \(t.dtype.rawValue)[\(t.shape.map(String.init).joined(separator: ","))]")
        }

        lines.append("nodes:")
        for node in nodes { lines.append("  " + line(for: node)) }
        lines.append("outputs:")
        for v in outputs { lines.append("  %\(v.name): \(Graph.typeText(valueInfo[v.name] ?? v))") }
        return lines.joined(separator: "\n")
    }

    /// `%y: f32[1,8] = Gemm(%x, %w, _) {transB=1}  # fc`
    private func line(for node: Node) -> String {
        let results = node.outputs.map { out in
            out.isEmpty ? "_" : "%\(out): " + Graph.typeText(info(of: out) ?? ValueInfo(name: out, dtype: nil, shape: nil))
        }
        let arguments = node.inputs.map { $0.isEmpty ? "_" : "%" + $0 }
        var text = results.joined(separator: ", ") + " = \(node.op.onnxName)(" + arguments.joined(separator: ", ") + ")"
        let attributes = node.op.attributeList
        if !attributes.isEmpty {
            text += " {" + attributes.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
        }
        if !node.name.isEmpty { text += "  # \(node.name)" }
        return text
    }

    /// Initializer names in order of first use by a node, then the unused ones by name.
    private var initializerOrder: [String] {
        var seen = Set<String>()
        var order: [String] = []
        for node in nodes {
            for input in node.inputs where initializers[input] != nil && seen.insert(input).inserted {
                order.append(input)
            }
        }
        order += initializers.keys.filter { !seen.contains($0) }.sorted()
        return order
    }

    /// `f32[N,3,224,224]`; `?` for an unknown type, `[*]` for an unknown rank.
    static func typeText(_ v: ValueInfo) -> String {
        let dtype = v.dtype?.rawValue ?? "?"
        guard let shape = v.shape else { return dtype + "[*]" }
        return dtype + shapeText(shape)
    }
}
