import Foundation
import OctetCPU
import OctetFormats
import OctetIR
import OctetModels
import OctetPasses

/// A model file: ONNX, or PyTorch weights bound to an architecture of the model zoo.
public enum ModelSource: Sendable, Equatable {
    case onnx(path: String)
    case pytorch(path: String, arch: String, numClasses: Int? = nil, stripPrefix: String? = nil)

    public var path: String {
        switch self {
        case .onnx(let path), .pytorch(let path, _, _, _): return path
        }
    }
}

/// Reads a model into a canonical graph: constants folded, BatchNorm folded into convolutions, dead code
/// removed, shapes inferred, verified.
public enum ModelLoader {
    /// `bind` gives concrete input shapes when they are known (bench's --batch), so shape subgraphs fold.
    public static func load(_ source: ModelSource, threads: Int = CPUBackend.defaultThreads,
                            reporter: Reporter = .silent,
                            bind: ((Graph) throws -> [String: [Int]])? = nil) throws -> Graph {
        try canonicalize(importGraph(source, reporter: reporter), path: source.path, threads: threads, bind: bind)
    }

    /// The model as imported, before any pass: what `octet convert` writes.
    public static func importGraph(_ source: ModelSource, reporter: Reporter = .silent) throws -> Graph {
        switch source {
        case .onnx(let path):
            do {
                return try ONNXImporter.load(path: path).graph
            } catch {
                throw InputError(path, error)
            }
        case let .pytorch(path, arch, numClasses, stripPrefix):
            let weights: StateDict
            do { weights = try PyTorchFile.load(path: path) } catch { throw InputError(path, error) }
            for note in weights.notes { reporter.note(note) }
            do {
                return try ModelZoo.build(arch: arch, weights: weights, numClasses: numClasses,
                                              stripPrefix: stripPrefix)
            } catch {
                throw InputError(path, error)
            }
        }
    }

    /// An ONNX file by path.
    public static func load(_ path: String, threads: Int = CPUBackend.defaultThreads,
                            bind: ((Graph) throws -> [String: [Int]])? = nil) throws -> Graph {
        try load(.onnx(path: path), threads: threads, bind: bind)
    }

    public static func canonicalize(_ graph: Graph, path: String, threads: Int = CPUBackend.defaultThreads,
                                    bind: ((Graph) throws -> [String: [Int]])? = nil) throws -> Graph {
        do {
            let shapes = try bind?(graph)
            let bound = try shapes.map { try graph.bindingInputShapes($0) } ?? graph
            let canonical = try Canonicalize(evaluator: CPUBackend(threads: threads)).run(bound)
            let shaped = try canonical.inferringShapes()
            try shaped.verify()
            return shaped
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(path, error)
        }
    }
}
