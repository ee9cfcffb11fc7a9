import OctetIR

/// Value names in use and how often nodes read each, so rewrites pick names that never collide.
struct NameTable {
    private var used: Set<String>
    private var reads: [String: Int] = [:]

    init(_ graph: Graph) {
        used = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        for node in graph.nodes {
            used.formUnion(node.outputs)
            for input in node.inputs where !input.isEmpty { reads[input, default: 0] += 1 }
        }
        for output in graph.outputs { reads[output.name, default: 0] += 1 }
    }

    /// Where to store a rewritten version of initializer `name`: in place when one node reads it, else a new name.
    mutating func replacement(for name: String, in graph: Graph) -> String {
        reads[name] == 1 ? name : fresh(name + "_folded")
    }

    /// `base`, or `base_2`, `base_3`, ... : the first name not yet in use.
    mutating func fresh(_ base: String) -> String {
        var name = base
        var k = 2
        while used.contains(name) {
            name = "\(base)_\(k)"
            k += 1
        }
        used.insert(name)
        return name
    }
}
