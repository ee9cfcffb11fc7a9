/// Something that computes one node's outputs from its inputs: the CPU backend, for constant folding.
///
/// Passes see this protocol rather than the CPU module, so graph rewrites stay independent of backends.
public protocol NodeEvaluator: Sendable {
    /// Inputs are positional as in `node.inputs`; nil marks an omitted optional input.
    func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor]
}
