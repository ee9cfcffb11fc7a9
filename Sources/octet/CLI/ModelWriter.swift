import OctetFormats
import OctetIR

/// Writes a graph as an ONNX file (IR version 8, opset 18), atomically.
enum ModelWriter {
    static func write(_ graph: Graph, to path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try ONNXExporter.encode(graph)
        } catch {
            throw InputError(path, "cannot export the model: \(error)")
        }
        try writeAtomically(bytes, to: path)
    }
}
