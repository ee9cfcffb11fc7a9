import OctetIR

// CONTRACT STUB (replaced by the passes work).

/// The standard clean-up after import: fold constants and shape subgraphs, fold BatchNorm, drop dead code.
public struct Canonicalize: GraphPass {
    public var name: String { "canonicalize" }
    public let evaluator: any NodeEvaluator

    public init(evaluator: any NodeEvaluator) { self.evaluator = evaluator }

    public func run(_ graph: Graph) throws -> Graph { graph }
}
