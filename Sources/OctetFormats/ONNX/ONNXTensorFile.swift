import OctetIR

/// A serialized ONNX TensorProto file (`input_0.pb` in the conformance suite).
public enum ONNXTensorFile {
    /// Reads one TensorProto; its external data, if any, is looked up beside the file.
    public static func read(path: String) throws -> (name: String, tensor: Tensor) {
        var reader = ProtobufReader(try readFileBytes(path))
        let proto = try TensorProto(from: &reader)
        return (proto.name, try proto.decode(external: ExternalData(modelPath: path)))
    }

    /// Decodes TensorProto bytes; a tensor with external data is refused (there is no file to look beside).
    public static func decode(_ bytes: [UInt8]) throws -> (name: String, tensor: Tensor) {
        var reader = ProtobufReader(bytes)
        let proto = try TensorProto(from: &reader)
        return (proto.name, try proto.decode(external: nil))
    }

    /// The TensorProto bytes of a tensor (raw little-endian data), as `read` accepts them.
    public static func encode(_ tensor: Tensor, name: String = "") -> [UInt8] {
        TensorProto(tensor, name: name).encoded().bytes
    }

    /// Writes a tensor as a TensorProto file, atomically.
    public static func write(_ tensor: Tensor, name: String = "", to path: String) throws {
        try writeFileAtomically(encode(tensor, name: name), to: path)
    }
}
