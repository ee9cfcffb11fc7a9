import Testing
import OctetIR

/// A dimension written as a number or a name in test tables: `[1, 3, "N"]`.
enum D: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    case dim(Dim)
    init(integerLiteral v: Int) { self = .dim(.fixed(v)) }
    init(stringLiteral s: String) { self = .dim(s == "?" ? .unknown : .symbolic(s)) }
    var dim: Dim { if case .dim(let d) = self { d } else { .unknown } }
}

func dims(_ ds: [D]) -> [Dim] { ds.map(\.dim) }

/// A small graph built in one expression: typed inputs, initializers, nodes, named outputs.
func makeGraph(inputs: [(String, DType, [D])], initializers: [String: Tensor] = [:], nodes: [Node],
               outputs: [String]) -> Graph {
    Graph(name: "test",
          inputs: inputs.map { ValueInfo(name: $0.0, dtype: $0.1, shape: dims($0.2)) },
          outputs: outputs.map { ValueInfo(name: $0, dtype: nil, shape: nil) },
          nodes: nodes, initializers: initializers)
}

/// A single-node graph over float inputs of the given shapes; the node is named "n" and writes "y".
func singleNode(_ op: Op, inputs: [(String, [D])], initializers: [String: Tensor] = [:], extraInputs: [String] = [],
                outputs: [String] = ["y"]) -> Graph {
    let names = inputs.map(\.0) + extraInputs
    return makeGraph(inputs: inputs.map { ($0.0, .f32, $0.1) }, initializers: initializers,
                     nodes: [Node(name: "n", op: op, inputs: names, outputs: outputs)], outputs: outputs)
}

func zeros(_ shape: [Int]) -> Tensor { Tensor.zeros(.f32, shape: shape) }
func ints(_ values: [Int64]) -> Tensor { Tensor(shape: [values.count], int64s: values) }
func floats(_ values: [Float]) -> Tensor { Tensor(shape: [values.count], floats: values) }

/// The inferred shape of `value` after shape inference.
func inferredShape(_ g: Graph, _ value: String = "y") throws -> [Dim]? {
    try g.inferringShapes().valueInfo[value]?.shape
}

/// The message of the IRError `body` throws, or nil when it throws none (another error type fails the test).
func irErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as IRError {
        return error.description
    } catch {
        Issue.record("expected an IRError, got \(error)")
        return "\(error)"
    }
}
