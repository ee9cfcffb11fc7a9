import OctetIR

// CONTRACT STUB (replaced by the ONNX import work).

/// A serialized ONNX TensorProto file (`input_0.pb` in the conformance suite).
public enum ONNXTensorFile {
    public static func read(path: String) throws -> (name: String, tensor: Tensor) {
        throw FormatError("TensorProto files are not implemented yet")
    }
}
