import OctetCPU
import OctetFormats
import OctetIR
import OctetPasses

/// Reads a model argument (an ONNX file) into a canonical graph: constants folded, BatchNorm folded into
/// convolutions, dead code removed, shapes inferred, verified.
enum ModelLoader {
    /// `bind` gives concrete input shapes when they are known (bench's --batch), so shape subgraphs fold.
    static func load(_ path: String, threads: Int = CPUBackend.defaultThreads,
                     bind: ((Graph) throws -> [String: [Int]])? = nil) throws -> Graph {
        let imported: Graph
        do {
            imported = try ONNXImporter.load(path: path).graph
        } catch {
            throw InputError(path, error)
        }
        return try canonicalize(imported, path: path, threads: threads, bind: bind)
    }

    static func canonicalize(_ graph: Graph, path: String, threads: Int,
                             bind: ((Graph) throws -> [String: [Int]])? = nil) throws -> Graph {
        let shapes = try bind?(graph)
        do {
            let bound = try shapes.map { try graph.bindingInputShapes($0) } ?? graph
            let canonical = try Canonicalize(evaluator: CPUBackend(threads: threads)).run(bound)
            let shaped = try canonical.inferringShapes()
            try shaped.verify()
            return shaped
        } catch {
            throw InputError(path, error)
        }
    }
}
