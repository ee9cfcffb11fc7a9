import Foundation
import OctetFormats
import OctetIR

/// One ONNX backend node test: a one-op model, its inputs, and the outputs ONNX's reference computed.
///
/// The folder holds `model.onnx` and `test_data_set_K/` with `input_N.pb` and `output_N.pb`; files are
/// matched to the graph's inputs and outputs by position, as ONNX's own test runner does.
public struct NodeTestCase: Sendable {
    /// One set of inputs with the outputs they must produce.
    public struct DataSet: Sendable {
        public var inputs: [String: Tensor]
        /// In the graph's output order.
        public var expected: [(name: String, tensor: Tensor)]
    }

    public var name: String
    public var graph: Graph
    public var dataSets: [DataSet]

    /// Reads `folder` (named `test_<op>_<variant>`).
    public static func load(folder: URL) throws -> NodeTestCase {
        let graph = try ONNXImporter.load(path: folder.appendingPathComponent("model.onnx").path).graph
        let setFolders = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("test_data_set_") }.sorted()
        var sets: [DataSet] = []
        for setName in setFolders {
            let dir = folder.appendingPathComponent(setName)
            let inputs = try tensorFiles(in: dir, prefix: "input_")
            let outputs = try tensorFiles(in: dir, prefix: "output_")
            guard inputs.count == graph.inputs.count else {
                throw FormatError("\(setName): \(inputs.count) input files for \(graph.inputs.count) graph inputs")
            }
            guard outputs.count == graph.outputs.count else {
                throw FormatError("\(setName): \(outputs.count) output files for \(graph.outputs.count) graph outputs")
            }
            let feeds = Dictionary(uniqueKeysWithValues: zip(graph.inputs.map(\.name), inputs))
            sets.append(DataSet(inputs: feeds, expected: Array(zip(graph.outputs.map(\.name), outputs))))
        }
        return NodeTestCase(name: folder.lastPathComponent, graph: graph, dataSets: sets)
    }

    /// `prefix0.pb`, `prefix1.pb`, ... in index order, stopping at the first missing index.
    private static func tensorFiles(in dir: URL, prefix: String) throws -> [Tensor] {
        var tensors: [Tensor] = []
        while true {
            let file = dir.appendingPathComponent("\(prefix)\(tensors.count).pb")
            guard FileManager.default.fileExists(atPath: file.path) else { return tensors }
            tensors.append(try ONNXTensorFile.read(path: file.path).tensor)
        }
    }
}
