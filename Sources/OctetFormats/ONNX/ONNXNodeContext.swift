import OctetIR

/// One ONNX node being imported: its attributes with typed accessors, its inputs and outputs as the op
/// will see them (rewrites append inputs made from attributes), and the graph being built.
struct ONNXNodeContext {
    let proto: NodeProto
    /// The node's name in the IR (the file's, or a deterministic one for unnamed nodes).
    let name: String
    /// The default domain's opset version the model declares.
    let opset: Int
    var inputs: [String]
    var outputs: [String]
    let builder: ONNXGraphBuilder
    private let attributes: [String: AttributeProto]

    init(proto: NodeProto, name: String, opset: Int, builder: ONNXGraphBuilder) throws {
        self.proto = proto
        self.name = name
        self.opset = opset
        self.inputs = proto.inputs
        self.outputs = proto.outputs
        self.builder = builder
        var attributes: [String: AttributeProto] = [:]
        for a in proto.attributes {
            guard attributes[a.name] == nil else {
                throw FormatError("node \"\(name)\" (\(proto.opType)): attribute \"\(a.name)\" appears twice")
            }
            attributes[a.name] = a
        }
        self.attributes = attributes
    }

    /// An error that names the node and its op, as every import error should.
    func error(_ what: String) -> FormatError {
        FormatError("node \"\(name)\" (\(proto.opType)): \(what)")
    }

    func has(_ attribute: String) -> Bool { attributes[attribute] != nil }

    private func attribute(_ name: String, _ kind: AttributeProto.Kind) throws -> AttributeProto? {
        guard let a = attributes[name] else { return nil }
        guard a.kind == kind else { throw error("attribute \"\(name)\" is a \(a.kind), expected \(kind)") }
        return a
    }

    func int(_ name: String) throws -> Int? {
        guard let a = try attribute(name, .int) else { return nil }
        guard let v = Int(exactly: a.i) else { throw error("attribute \"\(name)\" = \(a.i) is out of range") }
        return v
    }

    func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let v = try int(name) else { return value }
        guard v == 0 || v == 1 else { throw error("attribute \"\(name)\" = \(v), expected 0 or 1") }
        return v == 1
    }

    func ints(_ name: String) throws -> [Int]? {
        guard let a = try attribute(name, .ints) else { return nil }
        return try a.ints.map { v in
            guard let n = Int(exactly: v) else { throw error("attribute \"\(name)\" holds \(v), out of range") }
            return n
        }
    }

    func float(_ name: String) throws -> Float? { try attribute(name, .float)?.f }

    func float(_ name: String, default value: Float) throws -> Float { try float(name) ?? value }

    func floats(_ name: String) throws -> [Float]? { try attribute(name, .floats)?.floats }

    func string(_ name: String) throws -> String? {
        guard let a = try attribute(name, .string) else { return nil }
        guard let s = String(validating: a.s, as: UTF8.self) else { throw error("attribute \"\(name)\" is not valid UTF-8") }
        return s
    }

    func string(_ name: String, default value: String) throws -> String { try string(name) ?? value }

    func tensor(_ name: String) throws -> Tensor? {
        guard let a = try attribute(name, .tensor), let t = a.t else { return nil }
        do {
            return try t.decode(external: builder.externalData)
        } catch let e as FormatError {
            throw error("attribute \"\(name)\": \(e.message)")
        }
    }

    /// A string attribute parsed as one of an enum's raw values.
    func choice<T: RawRepresentable>(_ name: String, default value: T) throws -> T where T.RawValue == String {
        guard let s = try string(name) else { return value }
        guard let v = T(rawValue: s) else { throw error("\(name) \"\(s)\" is not supported") }
        return v
    }

    /// Sets input `index` (padding omitted optionals with "") to a new initializer made from an attribute.
    mutating func setInput(_ index: Int, to tensor: Tensor, suffix: String) {
        while inputs.count <= index { inputs.append("") }
        inputs[index] = builder.addInitializer(tensor, preferredName: "\(name)_\(suffix)")
    }

    /// Keeps only the first `count` outputs; the rest must be unnamed or unused (`what` says what they are).
    mutating func keepOutputs(_ count: Int, what: String) throws {
        guard outputs.count > count else { return }
        for extra in outputs[count...] where !extra.isEmpty && builder.isConsumed(extra) {
            throw error("output \"\(extra)\" (\(what)) is not supported")
        }
        outputs.removeLast(outputs.count - count)
    }

    func requireInputs(_ range: ClosedRange<Int>) throws {
        let n = inputs.lastIndex(where: { !$0.isEmpty }).map { $0 + 1 } ?? 0
        guard range.contains(n) else { throw error("has \(n) inputs, expected \(range.lowerBound) to \(range.upperBound)") }
        guard (0..<min(range.lowerBound, inputs.count)).allSatisfy({ !inputs[$0].isEmpty }) else {
            throw error("a required input is empty")
        }
    }
}
