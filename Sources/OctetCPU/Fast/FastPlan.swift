import OctetIR

/// What the interpreter runs on the fast kernels, decided once when a graph is compiled.
///
/// Conv, Gemm and MatMul nodes with constant weights get their weights packed here. Nodes that alone read
/// such a result are folded into its output loop: an Add of an earlier value into a Conv (a residual
/// connection), then a Relu or Clip with constant bounds into a Conv, Gemm, MatMul, or a float Add, Sub, Mul or Div. A folded node
/// is skipped; the node it was folded into produces its output.
struct FastPlan: Sendable {
    enum Step: Sendable {
        /// Not fast: the reference kernel runs it.
        case reference
        /// A node already applied by the step it was folded into.
        case folded
        case conv(PreparedConv, Fusion)
        case dense(PreparedDense, Fusion)
        /// A float Add, Sub, Mul or Div (FastBinary).
        case binary(BinaryOp, Fusion)
        /// Float elementwise nodes over one tensor run in one pass; the others are folded into it.
        case chain(ElementwiseChain, Fusion)
        /// A value computed once when the graph is compiled: a DequantizeLinear of constant weights.
        case constant(Tensor)
        /// A QuantizeLinear and the DequantizeLinear that alone reads it, defining `output`.
        case fakeQuant(FastFakeQuant, dequantize: Node)
        /// An op of a realized integer graph, with the Requantize or DequantizeLinear folded into it.
        case integer(IntegerStep, Fusion)
    }

    /// The nodes folded into a step and what the step then produces.
    struct Fusion: Sendable {
        /// The clamp applied last (a folded Relu or Clip).
        var activation: FusedActivation?
        /// The value the step defines: the last folded node's output.
        var output: String
        /// A folded Add's other operand, added to a Conv's result before the clamp.
        var residual: String?
        /// The folded nodes in order, for the reference fallback.
        var folded: [Node] = []
    }

    let steps: [Step]

    /// What runs each node, by name: "reference", "folded" or the fast kernel's name (tests check that a
    /// fast path ran; `octet inspect` may print it).
    var kernelNames: [String] {
        steps.map { step in
            switch step {
            case .reference: "reference"
            case .folded: "folded"
            case .conv: "fast conv"
            case .dense: "fast dense"
            case .binary(let op, _): "fast \(op.rawValue.lowercased())"
            case .chain: "fast elementwise chain"
            case .constant: "constant"
            case .fakeQuant: "fast fake-quant"
            case .integer(let s, _): s.name
            }
        }
    }

    init(graph: Graph) {
        _ = HeapRetention.applied
        var constants = graph.initializers
        var dequantizedConstants: [Int: Tensor] = [:]
        var readers: [String: [Int]] = [:]
        var producer: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() {
            if case .constant(let t) = node.op, let name = node.outputs.first { constants[name] = t }
            // Exporters route shared weights through Identity nodes; the value is still a constant.
            if case .identity = node.op, let name = node.outputs.first, let source = node.input(0),
               let t = constants[source] {
                constants[name] = t
            }
            // A QDQ model's weights: dequantized once here, so the Conv below them packs them like float ones.
            if case .dequantizeLinear = node.op, let name = node.outputs.first, node.outputs.count == 1,
               !node.inputs.isEmpty, node.inputs.allSatisfy({ $0.isEmpty || constants[$0] != nil }),
               let t = try? Kernels.run(KernelContext(node: node, inputs: node.inputs.map { $0.isEmpty ? nil : constants[$0] },
                                                      threads: 1)).first {
                constants[name] = t
                dequantizedConstants[i] = t
            }
            for name in node.inputs where !name.isEmpty { readers[name, default: []].append(i) }
            for name in node.outputs where !name.isEmpty { producer[name] = i }
        }
        let graphOutputs = Set(graph.outputs.map(\.name))
        let declaredInputs = Dictionary(graph.inputs.map { ($0.name, $0.dtype) }, uniquingKeysWith: { a, _ in a })
        // A value's element type, for kernels that need it before they see data.
        func dtype(_ name: String) -> DType? {
            constants[name]?.dtype ?? graph.valueInfo[name]?.dtype ?? declaredInputs[name] ?? nil
        }
        // The one node that reads `name`, when the value goes nowhere else.
        func soleReader(_ name: String) -> Int? {
            guard !graphOutputs.contains(name), let only = readers[name], only.count == 1 else { return nil }
            return only[0]
        }
        var steps = [Step](repeating: .reference, count: graph.nodes.count)
        for (i, node) in graph.nodes.enumerated() {
            if case .folded = steps[i] { continue }
            guard let output = node.outputs.first, node.outputs.count == 1 else { continue }
            if let t = dequantizedConstants[i] {
                steps[i] = .constant(t)
                continue
            }
            if case .quantizeLinear(let axis) = node.op, let j = soleReader(output),
               case .dequantizeLinear(let dequantizeAxis) = graph.nodes[j].op,
               graph.nodes[j].inputs.first == output, let dequantized = graph.nodes[j].outputs.first,
               graph.nodes[j].outputs.count == 1, !dequantized.isEmpty,
               let scale = node.input(1).flatMap({ constants[$0] }), scale.count == 1 || dequantizeAxis == axis,
               graph.nodes[j].input(1).flatMap({ constants[$0] }) == scale,
               graph.nodes[j].input(2).flatMap({ constants[$0] }) == node.input(2).flatMap({ constants[$0] }),
               let pair = FastFakeQuant(scale: scale, zeroPoint: node.input(2).flatMap { constants[$0] }, axis: axis) {
                steps[i] = .fakeQuant(pair, dequantize: graph.nodes[j])
                steps[j] = .folded
                continue
            }
            if let planned = IntegerStep.plan(i, in: graph, constants: constants, dtype: dtype, soleReader: soleReader) {
                var fusion = Fusion(output: output)
                for j in planned.folded {
                    fusion.folded.append(graph.nodes[j])
                    fusion.output = graph.nodes[j].outputs.first ?? output
                    steps[j] = .folded
                }
                steps[i] = .integer(planned.step, fusion)
                continue
            }
            if let (chain, nodes) = ElementwiseChain.plan(i, in: graph, constants: constants, readers: readers,
                                                          graphOutputs: graphOutputs, isFree: { j in
                                                              if case .reference = steps[j] { true } else { false }
                                                          }) {
                var fusion = Fusion(output: graph.nodes[nodes.last!].outputs[0])
                for j in nodes.dropFirst() {
                    fusion.folded.append(graph.nodes[j])
                    steps[j] = .folded
                }
                steps[i] = .chain(chain, fusion)
                continue
            }
            let constant = { (k: Int) -> Tensor?? in
                guard let name = node.input(k) else { return .some(nil) }
                return constants[name].map { .some($0) }
            }
            var conv: PreparedConv?
            var dense: PreparedDense?
            if case .conv(let a) = node.op, let w = constant(1) ?? nil, let bias = constant(2) {
                conv = PreparedConv(weight: w, bias: bias, attributes: a)
                if conv == nil { continue }
            } else if case .gemm(let a) = node.op, let b = constant(1) ?? nil, let c = constant(2) {
                dense = PreparedDense(gemmB: b, c: c, attributes: a)
                if dense == nil { continue }
            } else if case .matMul = node.op, let b = constant(1) ?? nil {
                dense = PreparedDense(matMulB: b)
                if dense == nil { continue }
            } else if case .binary(let op) = node.op, op != .pow {
            } else {
                continue
            }
            var fusion = Fusion(output: output)
            var foldedAt: [Int] = []
            // An Add of this Conv's result and a value defined before it (so ready when the Conv runs).
            if let conv, conv.takesResidual, let j = soleReader(output), case .binary(.add) = graph.nodes[j].op,
               graph.nodes[j].inputs.count == 2, let sum = graph.nodes[j].outputs.first, !sum.isEmpty {
                let other = graph.nodes[j].inputs.first { $0 != output } ?? ""
                if !other.isEmpty, producer[other].map({ $0 < i }) ?? true {
                    fusion.residual = other
                    fusion.folded.append(graph.nodes[j])
                    foldedAt.append(j)
                    fusion.output = sum
                }
            }
            // Then a Relu or Clip with constant bounds reading the result.
            if let j = soleReader(fusion.output), graph.nodes[j].inputs.first == fusion.output,
               let activation = Self.activation(of: graph.nodes[j], constants: constants),
               let clamped = graph.nodes[j].outputs.first, !clamped.isEmpty {
                fusion.activation = activation
                fusion.folded.append(graph.nodes[j])
                foldedAt.append(j)
                fusion.output = clamped
            }
            if let conv {
                steps[i] = .conv(conv, fusion)
            } else if let dense {
                steps[i] = .dense(dense, fusion)
            } else if case .binary(let op) = node.op {
                steps[i] = .binary(op, fusion)
            }
            for j in foldedAt { steps[j] = .folded }
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

    /// What a step gives the interpreter.
    enum Outcome {
        /// Not a fast step: the reference kernel must run the node.
        case reference
        /// The step ran; it defines `definedValue(i)` as this tensor (nil: nothing, for a folded node).
        case ran(Tensor?)
    }

    /// Whether node `i` was folded into an earlier step, which already produced its value.
    func isFolded(_ i: Int) -> Bool {
        if case .folded = steps[i] { true } else { false }
    }

    /// The one value step `i` defines when it runs (nil for a reference or folded step): known when the
    /// graph is compiled, so the interpreter resolves its slot once.
    func definedValue(_ i: Int, node: Node) -> String? {
        switch steps[i] {
        case .reference, .folded: nil
        case .constant: node.outputs.first
        case .fakeQuant(_, let dequantize): dequantize.outputs.first
        case .integer(_, let f), .conv(_, let f), .dense(_, let f), .binary(_, let f), .chain(_, let f): f.output
        }
    }

    /// Runs step `i` on its fast kernel, giving the value `definedValue(i)` names.
    ///
    /// `value` looks up a value defined earlier (a residual, a Clip's bounds). A step whose fast kernel
    /// declines its inputs runs the reference kernels for its node and every node folded into it, so the
    /// last folded node's output still appears; a Conv whose residual does not fit (a broadcast Add) still
    /// runs fast, and only the folded nodes on the reference.
    func run(_ i: Int, node: Node, inputs: [Tensor?], value: (String) -> Tensor?,
             threads: Int) throws -> Outcome {
        let result: Tensor?, fusion: Fusion
        var unfused: Tensor? = nil
        switch steps[i] {
        case .reference: return .reference
        case .folded: return .ran(nil)
        case .constant(let t):
            return .ran(t)
        case .integer(let step, let f):
            fusion = f
            result = step.run(inputs, threads: threads)
        case .fakeQuant(let pair, let dequantize):
            if let x = inputs.first.flatMap({ $0 }), let y = pair.run(x, threads: threads) { return .ran(y) }
            // Not float: the two reference kernels, the int8 tensor between them kept local.
            let q = try Kernels.run(KernelContext(node: node, inputs: inputs, threads: threads)).first
            let args = dequantize.inputs.enumerated().map { k, name in k == 0 ? q : name.isEmpty ? nil : value(name) }
            return .ran(try Kernels.run(KernelContext(node: dequantize, inputs: args, threads: threads)).first)
        case .conv(let conv, let f):
            fusion = f
            let x = inputs.first.flatMap { $0 }
            let residual = f.residual.flatMap(value)
            result = f.residual != nil && residual == nil ? nil : x.flatMap {
                conv.run($0, residual: residual, activation: f.activation, threads: threads)
            }
            if result == nil && f.residual != nil { unfused = x.flatMap { conv.run($0, threads: threads) } }
        case .dense(let dense, let f):
            fusion = f
            result = inputs.first.flatMap { $0 }.flatMap { dense.run($0, activation: f.activation, threads: threads) }
        case .chain(let chain, let f):
            fusion = f
            result = node.inputs.firstIndex(of: chain.input).flatMap { inputs[$0] }.flatMap {
                chain.run($0, threads: threads)
            }
        case .binary(let op, let f):
            fusion = f
            if inputs.count == 2, let a = inputs[0], let b = inputs[1] {
                result = FastBinary.run(op, a, b, activation: f.activation, threads: threads)
            } else {
                result = nil
            }
        }
        if let result { return .ran(result) }
        var current = try unfused ?? Kernels.run(KernelContext(node: node, inputs: inputs, threads: threads)).first
        // The folded nodes' values, kept here: a chain's later node may read any earlier one.
        var local: [String: Tensor] = [:]
        if let name = node.outputs.first, let current { local[name] = current }
        for folded in fusion.folded {
            let args = folded.inputs.map { name in name.isEmpty ? nil : local[name] ?? value(name) }
            current = try Kernels.run(KernelContext(node: folded, inputs: args, threads: threads)).first
            if let name = folded.outputs.first, let current { local[name] = current }
        }
        return .ran(current)
    }
}
