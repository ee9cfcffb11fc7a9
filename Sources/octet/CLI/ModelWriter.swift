import OctetIR

/// Writes a graph as an ONNX file, atomically. CONTRACT SEAM until the exporter lands.
enum ModelWriter {
    static func write(_ graph: Graph, to path: String) throws {
        throw InputError(path, "ONNX export is not available yet")
    }
}
