/// Whether a backend can run something, and if not, why ("Resize cubic has no CUDA implementation").
public enum Support: Sendable, Equatable {
    case supported
    case unsupported(reason: String)
}

/// An execution target: the CPU interpreter, CUDA. Backends see only the IR, never the quantizer.
public protocol Backend: Sendable {
    var name: String { get }
    func supports(_ node: Node, in graph: Graph) -> Support
    func compile(_ graph: Graph) throws -> any CompiledModel
}

/// A graph prepared for one backend; `run` may be called many times.
public protocol CompiledModel: Sendable {
    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor]
}
