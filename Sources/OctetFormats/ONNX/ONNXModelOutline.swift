import OctetIR

/// What an ONNX model uses, read without importing it: its op types and the element types of its inputs
/// and outputs as ONNX names them ("float", "double", "float8", ...). Import widens or narrows some types
/// (double becomes f32), so a conformance run reads this to tell which tests exercise what the IR lacks.
public struct ONNXModelOutline: Sendable {
    /// `domain:OpType` for ops outside the default domain, `OpType` otherwise; in node order.
    public var opTypes: [String]
    /// Declared inputs, then outputs; "non-tensor" for sequences, maps and optionals.
    public var elementTypes: [String]

    public static func read(path: String) throws -> ONNXModelOutline {
        var reader = ProtobufReader(try readFileBytes(path))
        let model = try ModelProto(from: &reader)
        guard let graph = model.graph else { throw FormatError("the model has no graph (not an ONNX model?)") }
        let ops = graph.nodes.map { node in
            node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain):\(node.opType)"
        }
        let types = (graph.inputs + graph.outputs).map { info in
            info.isTensor ? info.elemType.map(ONNXDataType.name) ?? "undefined" : "non-tensor"
        }
        return ONNXModelOutline(opTypes: ops, elementTypes: types)
    }
}
