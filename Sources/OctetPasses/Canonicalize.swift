import OctetIR

/// The standard clean-up after import: fold constants and shape subgraphs, fold BatchNorm and zero Pads into
/// the convolutions after them, drop dead code.
///
/// Constant folding runs first so BatchNorm parameters held in `Constant` nodes become initializers, and dead
/// code goes before BatchNorm folding so a convolution read only by dead nodes still folds. The result has
/// its shapes inferred. Running it twice gives the same graph.
public struct Canonicalize: GraphPass {
    public var name: String { "canonicalize" }
    public let evaluator: any NodeEvaluator

    public init(evaluator: any NodeEvaluator) { self.evaluator = evaluator }

    public func run(_ graph: Graph) throws -> Graph {
        let passes: [any GraphPass] = [
            ConstantFolding(evaluator: evaluator), DeadCodeElimination(), BatchNormFolding(), PadFolding(),
            DeadCodeElimination(),
        ]
        var g = graph
        for pass in passes { g = try pass.run(g) }
        return try g.inferringShapes()
    }
}
