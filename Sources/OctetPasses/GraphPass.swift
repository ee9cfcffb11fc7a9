import OctetIR

/// One graph rewrite. Passes are values; `run` returns a new graph and never mutates shared state.
public protocol GraphPass: Sendable {
    var name: String { get }
    func run(_ graph: Graph) throws -> Graph
}
