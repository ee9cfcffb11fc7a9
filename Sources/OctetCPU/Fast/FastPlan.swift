import OctetIR

/// What the interpreter runs on the fast kernels, decided once when a graph is compiled.
///
/// Conv, Gemm and MatMul nodes with constant weights get their weights packed here. A Relu or Clip (with
/// constant bounds) that alone reads a Conv, Gemm or Add result is folded into that node's output loop;
/// the folded node is then skipped and its output produced by the node it was folded into.
struct FastPlan: Sendable {
    enum Step: Sendable {
        /// Not fast: the reference kernel runs it.
        case reference
        /// A Relu/Clip already applied by the dense node that feeds it.
        case folded
        case conv(PreparedConv, Fusion)
        case dense(PreparedDense, Fusion)
        /// An Add; the fast kernel takes float operands of one shape.
        case add(Fusion)
    }

    /// An activation folded into a dense node: the clamp and the value name it produces instead.
    struct Fusion: Sendable {
        var activation: FusedActivation?
        var output: String
        /// The folded node and its constant bounds, for the reference fallback.
        var node: Node?
        var boundInputs: [Tensor?] = []
    }

    let steps: [Step]

    init(graph: Graph) {
        _ = HeapRetention.applied
        var constants = graph.initializers
        var readers: [String: [Int]] = [:]
        for (i, node) in graph.nodes.enumerated() {
            if case .constant(let t) = node.op, let name = node.outputs.first { constants[name] = t }
            // Exporters route shared weights through Identity nodes; the value is still a constant.
            if case .identity = node.op, let name = node.outputs.first, let source = node.input(0),
               let t = constants[source] {
                constants[name] = t
            }
            for name in node.inputs where !name.isEmpty { readers[name, default: []].append(i) }
        }
        let graphOutputs = Set(graph.outputs.map(\.name))
        var steps = [Step](repeating: .reference, count: graph.nodes.count)
        for (i, node) in graph.nodes.enumerated() {
            guard let output = node.outputs.first, node.outputs.count == 1 else { continue }
            let prepared: Step?
            var fusion = Fusion(activation: nil, output: output, node: nil)
            // The single reader of the result, when it is a Relu or a Clip with constant bounds.
            if !graphOutputs.contains(output), let only = readers[output], only.count == 1,
               graph.nodes[only[0]].inputs.first == output,
               let activation = Self.activation(of: graph.nodes[only[0]], constants: constants),
               let folded = graph.nodes[only[0]].outputs.first {
                let reader = graph.nodes[only[0]]
                fusion = Fusion(activation: activation, output: folded, node: reader,
                                boundInputs: reader.inputs.dropFirst().map { $0.isEmpty ? nil : constants[$0] })
            }
            let constant = { (k: Int) -> Tensor?? in
                guard let name = node.input(k) else { return .some(nil) }
                return constants[name].map { .some($0) }
            }
            if case .conv(let a) = node.op, let w = constant(1) ?? nil, let bias = constant(2) {
                prepared = PreparedConv(weight: w, bias: bias, attributes: a).map { .conv($0, fusion) }
            } else if case .gemm(let a) = node.op, let b = constant(1) ?? nil, let c = constant(2) {
                prepared = PreparedDense(gemmB: b, c: c, attributes: a).map { .dense($0, fusion) }
            } else if case .matMul = node.op, let b = constant(1) ?? nil {
                prepared = PreparedDense(matMulB: b).map { .dense($0, fusion) }
            } else if case .binary(.add) = node.op {
                prepared = .add(fusion)
            } else {
                prepared = nil
            }
            guard let prepared else { continue }
            steps[i] = prepared
            if fusion.node != nil, let j = readers[output]?.first { steps[j] = .folded }
        }
        self.steps = steps
    }

    /// The clamp a node applies, when it is Relu or a float Clip whose bounds are known constants.
    private static func activation(of node: Node, constants: [String: Tensor]) -> FusedActivation? {
        if case .unary(.relu) = node.op { return .relu }
        guard case .clip = node.op else { return nil }
        func bound(_ i: Int, _ absent: Float) -> Float? {
            guard let name = node.input(i) else { return absent }
            guard let t = constants[name], t.dtype == .f32, t.count == 1 else { return nil }
            return t.floatValues()[0]
        }
        guard let lo = bound(1, -.infinity), let hi = bound(2, .infinity) else { return nil }
        return FusedActivation(lower: lo, upper: hi)
    }

    /// Runs step `i` on its fast kernel: the values it defines, or nil when the reference must run the node.
    ///
    /// A dense node whose fast kernel declines its inputs runs the reference kernels for itself and the
    /// node folded into it, so the folded node's output still appears.
    func run(_ i: Int, node: Node, inputs: [Tensor?], threads: Int) throws -> [String: Tensor]? {
        let result: Tensor?, fusion: Fusion
        switch steps[i] {
        case .reference: return nil
        case .folded: return [:]
        case .conv(let conv, let f):
            fusion = f
            result = inputs.first.flatMap { $0 }.flatMap { conv.run($0, activation: f.activation, threads: threads) }
        case .dense(let dense, let f):
            fusion = f
            result = inputs.first.flatMap { $0 }.flatMap { dense.run($0, activation: f.activation, threads: threads) }
        case .add(let f):
            fusion = f
            if inputs.count == 2, let a = inputs[0], let b = inputs[1] {
                result = FastAdd.run(a, b, activation: f.activation, threads: threads)
            } else {
                result = nil
            }
        }
        if let result { return [fusion.output: result] }
        let outputs = try Kernels.run(KernelContext(node: node, inputs: inputs, threads: threads))
        guard let first = outputs.first else { return [:] }
        guard let folded = fusion.node else { return [fusion.output: first] }
        let activated = try Kernels.run(KernelContext(node: folded, inputs: [first] + fusion.boundInputs,
                                                      threads: threads))
        return activated.first.map { [fusion.output: $0] } ?? [:]
    }
}
