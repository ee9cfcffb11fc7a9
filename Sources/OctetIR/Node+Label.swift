extension Node {
    /// How errors name this node: `node "conv_3"`, or by its op and first output when it has no name.
    public var label: String {
        if !name.isEmpty { return "node \"\(name)\"" }
        return "\(op.onnxName) node producing \"\(outputs.first ?? "")\""
    }
}

extension Graph {
    /// The declared or inferred type of a value: a graph input, an initializer, or a node output.
    public func info(of value: String) -> ValueInfo? {
        if let t = initializers[value] {
            return ValueInfo(name: value, dtype: t.dtype, shape: t.shape.map(Dim.fixed))
        }
        if let v = valueInfo[value] { return v }
        if let v = inputs.first(where: { $0.name == value }) { return v }
        return outputs.first(where: { $0.name == value })
    }
}
