import OctetIR

/// Writes a graph as an ONNX model in the default domain (opset 13 or newer, 18 by default).
///
/// Output is deterministic: initializers and value infos are sorted by name, attributes written in a fixed
/// order, tensors as raw little-endian data, so the same graph always gives the same bytes.
public enum ONNXExporter {
    public static let oldestOpset = 13

    /// The bytes of an ONNX ModelProto for `graph`.
    public static func encode(_ graph: Graph, irVersion: Int = 8, opset: Int = 18) throws -> [UInt8] {
        guard opset >= oldestOpset else {
            throw FormatError("cannot export opset \(opset) (opset \(oldestOpset) and newer can be written)")
        }
        let exporter = ONNXOpExporter(opset: opset, initializers: graph.initializers)
        var proto = GraphProto()
        proto.name = graph.name
        proto.nodes = try graph.nodes.map { try exporter.export($0) }
        proto.initializers = graph.initializers.keys.sorted().compactMap { name in
            graph.initializers[name].map { TensorProto($0, name: name) }
        }
        proto.inputs = graph.inputs.map(valueInfo)
        proto.outputs = graph.outputs.map(valueInfo)
        let declared = Set(graph.inputs.map(\.name) + graph.outputs.map(\.name)).union(graph.initializers.keys)
        proto.valueInfo = graph.valueInfo.keys.sorted().filter { !declared.contains($0) }.compactMap { name in
            graph.valueInfo[name].map(valueInfo)
        }
        var model = ModelProto()
        model.irVersion = Int64(irVersion)
        model.producerName = "octet"
        model.opsets = [OperatorSetID(domain: "", version: Int64(opset))]
        model.graph = proto
        return model.encoded().bytes
    }

    /// Writes `graph` to `path` through a temporary file and a rename: never a partly written model.
    public static func write(_ graph: Graph, to path: String, irVersion: Int = 8, opset: Int = 18) throws {
        try writeFileAtomically(try encode(graph, irVersion: irVersion, opset: opset), to: path)
    }

    private static func valueInfo(_ info: ValueInfo) -> ValueInfoProto {
        var proto = ValueInfoProto()
        proto.name = info.name
        proto.isTensor = true
        proto.elemType = info.dtype.map(onnxDataType)
        proto.dims = info.shape?.map { d in
            switch d {
            case .fixed(let v): .value(Int64(v))
            case .symbolic(let s): s.isEmpty ? .unknown : .param(s)
            }
        }
        return proto
    }
}
