import OctetIR

/// What running one node test on a backend gave.
public enum NodeTestOutcome: Sendable, Equatable {
    case passed
    /// The backend ran the test and got a different answer, or failed where it claims support.
    case failed(String)
    /// The backend says it cannot run the test, and why.
    case unsupported(String)
}

extension NodeTestCase {
    /// Compiles the graph on `backend`, runs every data set and compares each output.
    public func run(on backend: any Backend) -> NodeTestOutcome {
        for node in graph.nodes {
            if case .unsupported(let reason) = backend.supports(node, in: graph) { return .unsupported(reason) }
        }
        let model: any CompiledModel
        do {
            model = try backend.compile(graph)
        } catch {
            return .failed("compile: \(error)")
        }
        for (k, set) in dataSets.enumerated() {
            let outputs: [String: Tensor]
            do {
                outputs = try model.run(set.inputs)
            } catch IRError.unsupported(let reason) {
                return .unsupported(reason)
            } catch {
                return .failed("data set \(k): \(error)")
            }
            for (name, expected) in set.expected {
                guard let actual = outputs[name] else { return .failed("data set \(k): no output \"\(name)\"") }
                if let difference = TensorComparison.mismatch(actual, expected) {
                    return .failed("data set \(k), output \"\(name)\": \(difference)")
                }
            }
        }
        return .passed
    }
}
