import OctetIR

/// The graph under construction during import: initializers, nodes, and the names already taken, so that
/// values made from attributes get deterministic names that collide with nothing in the file.
final class ONNXGraphBuilder {
    let externalData: ExternalData?
    private(set) var initializers: [String: Tensor] = [:]
    var nodes: [Node] = []
    private var takenNames: Set<String>
    private let consumed: Set<String>
    private var ranks: [String: Int] = [:]

    init(graph: GraphProto, externalData: ExternalData?) {
        self.externalData = externalData
        var taken = Set<String>()
        var consumed = Set<String>()
        for t in graph.initializers { taken.insert(t.name) }
        for v in graph.inputs { taken.insert(v.name) }
        for v in graph.outputs { taken.insert(v.name); consumed.insert(v.name) }
        for n in graph.nodes {
            taken.formUnion(n.inputs)
            taken.formUnion(n.outputs)
            consumed.formUnion(n.inputs)
        }
        self.takenNames = taken
        self.consumed = consumed
    }

    /// Records the ranks of declared values (for rewrites that depend on rank).
    func declare(_ values: [ValueInfo]) {
        for v in values { if let shape = v.shape { ranks[v.name] = shape.count } }
    }

    /// The rank of a value when the file declares it or it is an initializer.
    func declaredRank(_ value: String) -> Int? { initializers[value]?.rank ?? ranks[value] }

    /// Whether a node or a graph output reads this value.
    func isConsumed(_ value: String) -> Bool { consumed.contains(value) }

    /// `preferred`, or `preferred_1`, `preferred_2`... whichever no value in the file uses.
    func uniqueName(_ preferred: String) -> String {
        var name = preferred
        var k = 1
        while takenNames.contains(name) {
            name = "\(preferred)_\(k)"
            k += 1
        }
        takenNames.insert(name)
        return name
    }

    func addInitializer(_ tensor: Tensor, preferredName: String) -> String {
        let name = uniqueName(preferredName)
        initializers[name] = tensor
        return name
    }

    /// An initializer under a name from the file (a Constant node's output or a graph initializer).
    func setInitializer(_ name: String, _ tensor: Tensor) throws {
        guard initializers[name] == nil else { throw FormatError("value \"\(name)\" is defined twice") }
        initializers[name] = tensor
    }
}
