import OctetIR

// CONTRACT STUB (replaced by the CPU backend work).

/// The CPU backend: reference kernels for every op, fast kernels where they matter, `threads` workers.
public struct CPUBackend: Backend, NodeEvaluator {
    public static var defaultThreads: Int { 1 }
    public let threads: Int
    public var name: String { "cpu" }

    public init(threads: Int = CPUBackend.defaultThreads) { self.threads = threads }

    public func supports(_ node: Node, in graph: Graph) -> Support { .unsupported(reason: "not implemented yet") }

    public func compile(_ graph: Graph) throws -> any CompiledModel {
        throw IRError.unsupported("the CPU backend is not implemented yet")
    }

    public func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor] {
        throw IRError.unsupported("the CPU backend is not implemented yet")
    }
}
