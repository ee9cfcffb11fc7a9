import Foundation
import OctetIR

/// An imported ONNX model: the graph plus the header fields worth reporting.
public struct ONNXModel: Sendable {
    public var graph: Graph
    public var irVersion: Int
    public var opsetVersion: Int
    public var producerName: String

    public init(graph: Graph, irVersion: Int, opsetVersion: Int, producerName: String) {
        self.graph = graph
        self.irVersion = irVersion
        self.opsetVersion = opsetVersion
        self.producerName = producerName
    }
}

/// Reads ONNX models (default domain, opsets 7 and newer) into the IR's newest-opset form.
///
/// Constant nodes become initializers named by their output. Unnamed nodes get `<OpType>_<index>`;
/// inputs made from old-opset attributes get `<node>_<what>` (both made unique against the file's names).
public enum ONNXImporter {
    /// The oldest default-domain opset imported; older models used broadcast attributes and other forms.
    public static let oldestOpset = 7

    /// ONNX op types the importer turns into IR ops (default domain).
    public static var supportedOpTypes: Set<String> { ONNXNodeContext.supportedOpTypes }

    /// Reads an ONNX file (and external data files beside it) into the IR.
    public static func load(path: String) throws -> ONNXModel {
        try decode(try readFileBytes(path), externalData: ExternalData(modelPath: path))
    }

    /// Decodes ONNX model bytes; tensors with external data are refused.
    public static func decode(_ bytes: [UInt8]) throws -> ONNXModel {
        try decode(bytes, externalData: nil)
    }

    static func decode(_ bytes: [UInt8], externalData: ExternalData?) throws -> ONNXModel {
        var reader = ProtobufReader(bytes)
        let model = try ModelProto(from: &reader)
        guard let graphProto = model.graph else { throw FormatError("the model has no graph (not an ONNX model?)") }
        let names = nodeNames(graphProto)
        // Unsupported ops first: that is the most useful thing to tell about a model Octet cannot take.
        for (node, name) in zip(graphProto.nodes, names) {
            if node.domain == "com.microsoft" && ONNXNodeContext.microsoftOpTypes.contains(node.opType) { continue }
            guard node.domain.isEmpty || node.domain == "ai.onnx" else {
                throw FormatError("node \"\(name)\": op \(node.opType) of domain \"\(node.domain)\" is not supported")
            }
            guard supportedOpTypes.contains(node.opType) else {
                throw FormatError("node \"\(name)\": op \(node.opType) is not supported")
            }
        }
        let opsets = model.opsets.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let opset64 = opsets.map(\.version).max() else {
            throw FormatError("the model declares no opset for the default ONNX domain")
        }
        guard opset64 >= Int64(oldestOpset), let opset = Int(exactly: opset64) else {
            throw FormatError("opset \(opset64) is not supported (opset \(oldestOpset) and newer are)")
        }
        let graph = try importGraph(graphProto, names: names, opset: opset, externalData: externalData)
        return ONNXModel(graph: graph, irVersion: Int(clamping: model.irVersion), opsetVersion: opset,
                         producerName: model.producerName)
    }

    /// The file's node names, with `<OpType>_<index>` for unnamed nodes (made unique against the file's names).
    static func nodeNames(_ proto: GraphProto) -> [String] {
        let named = Set(proto.nodes.map(\.name).filter { !$0.isEmpty })
        var generated = Set<String>()
        return proto.nodes.enumerated().map { index, node in
            guard node.name.isEmpty else { return node.name }
            var name = "\(node.opType)_\(index)"
            var k = 1
            while named.contains(name) || generated.contains(name) {
                name = "\(node.opType)_\(index)_\(k)"
                k += 1
            }
            generated.insert(name)
            return name
        }
    }

    static func importGraph(_ proto: GraphProto, names: [String], opset: Int, externalData: ExternalData?) throws -> Graph {
        guard proto.sparseInitializerCount == 0 else { throw FormatError("sparse initializers are not supported") }
        let builder = ONNXGraphBuilder(graph: proto, externalData: externalData)
        for t in proto.initializers {
            guard !t.name.isEmpty else { throw FormatError("initializer at byte \(t.byteOffset) has no name") }
            try builder.setInitializer(t.name, try t.decode(external: externalData))
        }
        // Initializers listed as graph inputs (IR < 4 required it) are weights, not run-time inputs.
        let inputs = try proto.inputs.filter { builder.initializers[$0.name] == nil }.map { try valueInfo($0, "input") }
        let outputs = try proto.outputs.map { try valueInfo($0, "output") }
        var declared: [String: ValueInfo] = [:]
        // Some exporters repeat graph inputs and outputs in value_info; they are declared once, above.
        let listed = Set((inputs + outputs).map(\.name))
        for v in proto.valueInfo where !listed.contains(v.name) {
            if let info = try? valueInfo(v, "value"), info.dtype != nil || info.shape != nil { declared[v.name] = info }
        }
        builder.declare(inputs + outputs + Array(declared.values))

        for (node, name) in zip(proto.nodes, names) {
            try importNode(node, name: name, opset: opset, builder: builder)
        }
        return Graph(name: proto.name, inputs: inputs, outputs: outputs, nodes: builder.nodes,
                     initializers: builder.initializers, valueInfo: declared)
    }

    private static func importNode(_ node: NodeProto, name: String, opset: Int, builder: ONNXGraphBuilder) throws {
        var context = try ONNXNodeContext(proto: node, name: name, opset: opset, builder: builder)
        if node.opType == "Constant" {
            guard node.outputs.count == 1, !node.outputs[0].isEmpty else { throw context.error("needs one output") }
            try builder.setInitializer(node.outputs[0], try context.constantValue())
            return
        }
        let op = try context.importOp()
        // Trailing omitted optionals carry no meaning; dropping them gives one spelling per node.
        while let last = context.inputs.last, last.isEmpty { context.inputs.removeLast() }
        while let last = context.outputs.last, last.isEmpty, context.outputs.count > 1 { context.outputs.removeLast() }
        builder.nodes.append(Node(name: name, op: op, inputs: context.inputs, outputs: context.outputs))
    }

    /// A declared input, output or intermediate value; element types the IR lacks are an error.
    private static func valueInfo(_ proto: ValueInfoProto, _ role: String) throws -> ValueInfo {
        guard !proto.name.isEmpty else { throw FormatError("a graph \(role) has no name") }
        guard proto.isTensor else { throw FormatError("\(role) \"\(proto.name)\" is not a tensor (sequences, maps and optionals are not supported)") }
        var dtype: DType?
        if let code = proto.elemType, code != 0 {
            guard let t = irDType(code) else {
                throw FormatError("\(role) \"\(proto.name)\" has element type \(ONNXDataType.name(code)), which is not supported")
            }
            dtype = t
        }
        let shape: [Dim]? = proto.dims.map { dims in
            dims.map { d in
                switch d {
                case .value(let v): v >= 0 && v <= Int64(Int32.max) ? .fixed(Int(v)) : .symbolic("")
                case .param(let p): .symbolic(p)
                case .unknown: .symbolic("")
                }
            }
        }
        return ValueInfo(name: proto.name, dtype: dtype, shape: shape)
    }
}

extension ONNXNodeContext {
    /// The value of a Constant node, from whichever of its value attributes is set.
    func constantValue() throws -> Tensor {
        if let t = try tensor("value") { return t }
        if let f = try float("value_float") { return .scalar(f) }
        if let fs = try floats("value_floats") { return Tensor(shape: [fs.count], floats: fs) }
        if let i = try int("value_int") { return Tensor(shape: [], int64s: [Int64(i)]) }
        if let i = try ints("value_ints") { return Tensor(shape: [i.count], int64s: i.map { Int64($0) }) }
        for other in ["sparse_value", "value_string", "value_strings"] where has(other) {
            throw error("\(other) is not supported")
        }
        throw error("has no value attribute")
    }
}
