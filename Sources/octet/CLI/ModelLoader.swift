import OctetCPU
import OctetFormats
import OctetIR
import OctetPasses

/// Reads a model argument (an ONNX file) into a canonical graph: constants folded, BatchNorm folded into
/// convolutions, dead code removed, shapes inferred, verified.
enum ModelLoader {
    static func load(_ path: String, threads: Int = CPUBackend.defaultThreads) throws -> Graph {
        let imported: Graph
        do {
            imported = try ONNXImporter.load(path: path).graph
        } catch {
            throw InputError(path, error)
        }
        return try canonicalize(imported, path: path, threads: threads)
    }

    static func canonicalize(_ graph: Graph, path: String, threads: Int) throws -> Graph {
        do {
            let canonical = try Canonicalize(evaluator: CPUBackend(threads: threads)).run(graph)
            let shaped = try canonical.inferringShapes()
            try shaped.verify()
            return shaped
        } catch {
            throw InputError(path, error)
        }
    }
}
