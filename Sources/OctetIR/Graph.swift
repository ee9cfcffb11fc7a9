/// One dimension of a declared input or output: a number, or a name such as "batch".
public enum Dim: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbolic(String)

    public var value: Int? { if case .fixed(let v) = self { v } else { nil } }
    public var description: String {
        switch self {
        case .fixed(let v): String(v)
        case .symbolic(let s): s.isEmpty ? "?" : s
        }
    }
}

/// A named value's declared type: element type and shape, either of which may be unknown.
public struct ValueInfo: Sendable, Equatable {
    public var name: String
    public var dtype: DType?
    public var shape: [Dim]?

    public init(name: String, dtype: DType?, shape: [Dim]?) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }

    /// The shape as plain integers when every dimension is fixed.
    public var staticShape: [Int]? {
        guard let shape else { return nil }
        var out: [Int] = []
        for d in shape {
            guard let v = d.value else { return nil }
            out.append(v)
        }
        return out
    }
}

/// One operation: an op with its attributes, the values it reads and the values it defines.
public struct Node: Sendable, Equatable {
    public var name: String
    public var op: Op
    /// Value names; an empty string marks an omitted optional input.
    public var inputs: [String]
    public var outputs: [String]

    public init(name: String, op: Op, inputs: [String], outputs: [String]) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Input `i` if present and not omitted.
    public func input(_ i: Int) -> String? {
        i < inputs.count && !inputs[i].isEmpty ? inputs[i] : nil
    }
}

/// A dataflow graph in topological order, with its weights.
public struct Graph: Sendable, Equatable {
    public var name: String
    /// Inputs fed at run time (initializers are never listed here).
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    public var nodes: [Node]
    public var initializers: [String: Tensor]
    /// Known types of intermediate values, filled by shape inference.
    public var valueInfo: [String: ValueInfo]

    public init(name: String = "graph", inputs: [ValueInfo] = [], outputs: [ValueInfo] = [],
                nodes: [Node] = [], initializers: [String: Tensor] = [:], valueInfo: [String: ValueInfo] = [:]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
        self.initializers = initializers
        self.valueInfo = valueInfo
    }

    /// The node that defines each value.
    public var producers: [String: Int] {
        var map: [String: Int] = [:]
        for (i, node) in nodes.enumerated() {
            for out in node.outputs where !out.isEmpty { map[out] = i }
        }
        return map
    }

    /// This graph with `names` added to its outputs (those not already among them, in order): how a caller
    /// sees intermediate values.
    public func exposing(_ names: [String]) -> Graph {
        var out = self
        var declared = Set(outputs.map(\.name))
        for name in names where declared.insert(name).inserted {
            out.outputs.append(ValueInfo(name: name, dtype: nil, shape: nil))
        }
        return out
    }

    /// For each value, the indices of the nodes that read it.
    public var consumers: [String: [Int]] {
        var map: [String: [Int]] = [:]
        for (i, node) in nodes.enumerated() {
            for inp in node.inputs where !inp.isEmpty { map[inp, default: []].append(i) }
        }
        return map
    }
}
