import OctetIR

/// Removes nodes none of whose outputs reach a graph output, then initializers no node reads.
///
/// Graph inputs stay even when unused: they are the model's interface. Type entries of removed values go too.
public struct DeadCodeElimination: GraphPass {
    public var name: String { "dead-code-elimination" }

    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var live = Set(graph.outputs.map(\.name))
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for (i, node) in graph.nodes.enumerated().reversed() where node.outputs.contains(where: live.contains) {
            keep[i] = true
            for input in node.inputs where !input.isEmpty { live.insert(input) }
        }
        var g = graph
        g.nodes = graph.nodes.indices.filter { keep[$0] }.map { graph.nodes[$0] }
        g.initializers = graph.initializers.filter { live.contains($0.key) }
        var defined = Set(g.initializers.keys).union(g.inputs.map(\.name))
        for node in g.nodes { defined.formUnion(node.outputs) }
        g.valueInfo = graph.valueInfo.filter { defined.contains($0.key) }
        return g
    }
}
