import OctetIR

/// Replaces every node whose outputs are known before run time with initializers.
///
/// A node folds when all its inputs are initializers (the evaluator computes it once), when it is a
/// `Constant`, or when shape inference proved its integer value (a `Shape` of a static shape and the
/// `Gather`/`Concat` arithmetic on it), so `Shape → Gather → Concat → Reshape` ends with a constant shape.
/// QuantizeLinear/DequantizeLinear never fold: they carry a quantized model's meaning. Nodes producing
/// graph outputs stay, and so does any node the evaluator cannot run.
public struct ConstantFolding: GraphPass {
    public var name: String { "constant-folding" }
    public let evaluator: any NodeEvaluator
    /// Outputs with more elements than this stay computed at run time (no blow-up from a tiny graph).
    public var maxElements: Int

    public init(evaluator: any NodeEvaluator, maxElements: Int = 64 << 20) {
        self.evaluator = evaluator
        self.maxElements = maxElements
    }

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        // Folding can make more shapes static, which can enable more folding; a few rounds reach the fixpoint.
        for _ in 0..<8 {
            let (next, changed) = try sweep(g)
            g = next
            if !changed { break }
        }
        return g
    }

    /// One pass over the nodes in order, folding what can be folded.
    private func sweep(_ graph: Graph) throws -> (Graph, Bool) {
        let shaped = try graph.inferringShapes()
        let proven = try graph.provenIntegerValues()
        let graphOutputs = Set(graph.outputs.map(\.name))
        var g = shaped
        var kept: [Node] = []
        var changed = false
        for node in shaped.nodes {
            guard !node.outputs.contains(where: graphOutputs.contains),
                  let tensors = try foldedOutputs(node, in: g, proven: proven) else {
                kept.append(node)
                continue
            }
            for (name, t) in zip(node.outputs, tensors) where !name.isEmpty {
                g.initializers[name] = t
                g.valueInfo[name] = nil
            }
            changed = true
        }
        g.nodes = kept
        return (g, changed)
    }

    /// The node's output values if they can be known now, else nil.
    private func foldedOutputs(_ node: Node, in g: Graph, proven: [String: Tensor]) throws -> [Tensor]? {
        switch node.op {
        case .quantizeLinear, .dequantizeLinear, .convInteger, .matMulInteger, .requantize, .qlinearAdd,
             .qlinearGlobalAveragePool, .dynamicQuantizeLinear:
            return nil
        case .constant(let t):
            return [t]
        case .conv, .convTranspose, .gemm, .matMul, .binary, .unary, .leakyRelu, .hardSigmoid, .clip, .softmax,
             .batchNormalization, .maxPool, .averagePool, .globalAveragePool, .globalMaxPool, .reduceMean, .concat,
             .split, .reshape, .flatten, .transpose, .squeeze, .unsqueeze, .pad, .resize, .slice, .gather, .shape,
             .constantOfShape, .expand, .range, .identity, .dropout, .cast:
            break
        }
        if node.outputs.count == 1, let t = proven[node.outputs[0]] { return [t] }
        let inputs = node.inputs.map { $0.isEmpty ? nil : g.initializers[$0] }
        for (name, t) in zip(node.inputs, inputs) where !name.isEmpty && t == nil { return nil }
        let expected = try expectedShapes(node, in: g)
        guard let expected else { return nil }
        let results: [Tensor]
        do {
            results = try evaluator.evaluate(node, inputs: inputs)
        } catch {
            return nil  // not supported by the evaluator: the node stays for the backend
        }
        guard results.count >= node.outputs.count else { return nil }
        for (i, shape) in expected.enumerated() where shape != nil && results[i].shape != shape {
            throw IRError.shapeMismatch("\(node.label): evaluated to shape \(results[i].shape), shape inference says \(shape ?? [])")
        }
        return Array(results.prefix(node.outputs.count))
    }

    /// Static shapes of the node's outputs (nil entries for omitted outputs); nil when one is not static
    /// or too large to fold.
    private func expectedShapes(_ node: Node, in g: Graph) throws -> [[Int]?]? {
        var shapes: [[Int]?] = []
        for name in node.outputs {
            if name.isEmpty {
                shapes.append(nil)
                continue
            }
            guard let shape = g.valueInfo[name]?.staticShape, let n = shape.checkedElementCount, n <= maxElements else {
                return nil
            }
            shapes.append(shape)
        }
        return shapes
    }
}
