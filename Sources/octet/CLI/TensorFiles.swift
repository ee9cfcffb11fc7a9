import Foundation
import Octet
import OctetFormats
import OctetIR

/// Reads and writes tensors as `.npy` or serialized ONNX TensorProto (`.pb`) files.
enum TensorFiles {
    static func read(_ path: String) throws -> Tensor {
        do {
            switch (path as NSString).pathExtension.lowercased() {
            case "npy": return try NPY.read(path: path)
            case "pb": return try ONNXTensorFile.read(path: path).tensor
            default: throw InputError(path, "unknown tensor file type (expected .npy or .pb)")
            }
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(path, error)
        }
    }

    static func writeNPY(_ tensor: Tensor, to path: String) throws {
        do {
            try NPY.write(tensor, to: path)
        } catch {
            throw InputError(path, error)
        }
    }
}
