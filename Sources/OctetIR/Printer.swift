// CONTRACT STUB (replaced by the printer work).
extension Graph {
    /// A readable listing of the graph, one node per line, for `octet inspect --graph`.
    public var text: String { nodes.map { "\($0.outputs) = \($0.op.onnxName)(\($0.inputs))" }.joined(separator: "\n") }
}
