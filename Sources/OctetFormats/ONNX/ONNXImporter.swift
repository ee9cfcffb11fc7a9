import OctetIR

// CONTRACT STUB (replaced by the ONNX import work).

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

public enum ONNXImporter {
    /// Reads an ONNX file (and external data files beside it) into the IR.
    public static func load(path: String) throws -> ONNXModel {
        throw FormatError("ONNX import is not implemented yet")
    }
}
