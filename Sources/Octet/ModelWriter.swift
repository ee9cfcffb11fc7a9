import Foundation
import OctetFormats
import OctetIR

/// Writes a graph as an ONNX file (IR version 8, opset 18), atomically.
public enum ModelWriter {
    public static func write(_ graph: Graph, to path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try ONNXExporter.encode(graph)
        } catch {
            throw InputError(path, "cannot export the model: \(error)")
        }
        try writeAtomically(bytes, to: path)
    }
}

/// Writes a file atomically: a temporary name beside the target, then a rename, so no half-written output exists.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    do {
        try Data(bytes).write(to: url, options: .atomic)
    } catch {
        throw InputError(path, "cannot write: \(error.localizedDescription)")
    }
}
