import OctetIR

/// Inserts QuantizeLinear/DequantizeLinear pairs as a plan says: the standard QDQ form that ONNX Runtime,
/// TensorRT and Octet's own lowering read.
///
/// An activation `t` gets `t_quantized = QuantizeLinear(t)` and `t_dequantized = DequantizeLinear(...)`
/// right after its producer, and the quantized consumers read `t_dequantized`; float consumers and graph
/// outputs keep reading `t`, so `octet compare` pairs `t_dequantized` with the float model's `t`.
/// Weights and biases are stored quantized (`W_quantized`) behind a DequantizeLinear.
struct QDQRewriter {
    var graph: Graph
    var plan: QuantizationPlan
    var activationParams: [String: QuantParams]
    var perChannel: Bool
    var powerOfTwoWeights: Bool
    /// Channel means of conv inputs, for bias correction (empty: no correction).
    var inputMeans: [String: [Float]] = [:]

    func rewrite() throws(QuantError) -> Graph {
        var out = graph
        var used = Set(graph.nodes.flatMap { $0.inputs + $0.outputs })
        used.formUnion(graph.initializers.keys)
        used.formUnion(graph.inputs.map(\.name))
        func fresh(_ base: String) -> String {
            var name = base, k = 1
            while used.contains(name) { k += 1; name = "\(base)_\(k)" }
            used.insert(name)
            return name
        }
        func scaleTensors(_ base: String, _ p: QuantParams) throws(QuantError) -> (scale: String, zeroPoint: String) {
            // Zero points arrive from --load-scales files too: out of the type's range is an error, not a trap.
            if let bad = p.zeroPoints.first(where: { !p.range.contains($0) }) {
                throw QuantError("tensor \"\(base)\": zero point \(bad) is outside \(p.dtype)'s range")
            }
            let s = fresh(base + "_scale"), z = fresh(base + "_zero_point")
            let shape = p.scales.count == 1 && p.axis == nil ? [] : [p.scales.count]
            out.initializers[s] = Tensor(shape: shape, floats: p.scales)
            switch p.dtype {
            case .u8: out.initializers[z] = Tensor(shape: shape, uint8s: p.zeroPoints.map { UInt8($0) })
            case .i32: out.initializers[z] = Tensor(shape: shape, int32s: p.zeroPoints)
            default: out.initializers[z] = Tensor(shape: shape, int8s: p.zeroPoints.map { Int8($0) })
            }
            return (s, z)
        }

        // Activations: a Q/DQ pair after each producer (graph inputs: before the first node).
        var pairs: [String: [Node]] = [:]
        var dequantized: [String: String] = [:]
        for t in plan.activations {
            guard let p = activationParams[t] else { throw QuantError("tensor \"\(t)\" has no calibrated range") }
            let (s, z) = try scaleTensors(t, p)
            let q = fresh(t + "_quantized"), dq = fresh(t + "_dequantized")
            pairs[t] = [
                Node(name: fresh(t + "_QuantizeLinear"), op: .quantizeLinear(axis: 1), inputs: [t, s, z], outputs: [q]),
                Node(name: fresh(t + "_DequantizeLinear"), op: .dequantizeLinear(axis: 1), inputs: [q, s, z], outputs: [dq]),
            ]
            dequantized[t] = dq
        }

        // Weights and biases: stored quantized, dequantized by a node at the top of the graph.
        var constantNodes: [Node] = []
        var rewired: [Int: [Int: String]] = [:]
        var weightParams: [String: QuantParams] = [:]
        var weightErrors: [String: Tensor] = [:]
        var replaced: [String: String] = [:]
        for use in plan.uses {
            let node = graph.nodes[use.node]
            var inputs: [Int: String] = [:]
            for (i, role) in use.roles.sorted(by: { $0.key < $1.key }) {
                let name = node.inputs[i]
                switch role {
                case .activation:
                    inputs[i] = dequantized[name]
                case .weight(let axis):
                    if let done = replaced[name] { inputs[i] = done; continue }
                    guard let w = graph.initializers[name] else { continue }
                    try WeightQuantizer.requireFinite(w, name: name, node: node)
                    let p = WeightQuantizer.params(w, axis: perChannel ? axis : nil, powerOfTwo: powerOfTwoWeights)
                    weightParams[name] = p
                    let q = WeightQuantizer.quantize(w, p)
                    if !inputMeans.isEmpty { weightErrors[name] = BiasCorrection.error(w, quantized: q, p) }
                    inputs[i] = try dequantize(name, q, p)
                    replaced[name] = inputs[i]
                case .bias(let a, let wIndex):
                    guard var b = graph.initializers[name],
                          let ap = activationParams[node.inputs[a]],
                          let wp = weightParams[node.inputs[wIndex]] else { continue }
                    try WeightQuantizer.requireFinite(b, name: name, node: node)
                    if case .conv(let attributes) = node.op, let means = inputMeans[node.inputs[a]],
                       let error = weightErrors[node.inputs[wIndex]] {
                        b = BiasCorrection.corrected(b, weightError: error, inputMeans: means, group: attributes.group)
                    }
                    let p = WeightQuantizer.biasParams(input: ap, weight: wp, channels: b.count)
                    inputs[i] = try dequantize(name, WeightQuantizer.quantize(b, p), p)
                }
            }
            rewired[use.node] = inputs
        }

        func dequantize(_ name: String, _ q: Tensor, _ p: QuantParams) throws(QuantError) -> String {
            let qName = fresh(name + "_quantized"), dq = fresh(name + "_dequantized")
            out.initializers[qName] = q
            let (s, z) = try scaleTensors(name, p)
            constantNodes.append(Node(name: fresh(name + "_DequantizeLinear"), op: .dequantizeLinear(axis: p.axis ?? 0),
                                      inputs: [qName, s, z], outputs: [dq]))
            return dq
        }

        var nodes = constantNodes
        for input in graph.inputs { nodes += pairs[input.name] ?? [] }
        for (i, original) in graph.nodes.enumerated() {
            var node = original
            for (slot, name) in rewired[i] ?? [:] { node.inputs[slot] = name }
            nodes.append(node)
            for output in node.outputs { nodes += pairs[output] ?? [] }
        }
        // Float initializers now only reached through their quantized copies are dropped.
        let read = Set(nodes.flatMap(\.inputs))
        for name in replaced.keys where !read.contains(name) { out.initializers[name] = nil }
        for node in plan.uses.map({ graph.nodes[$0.node] }) {
            for name in node.inputs where graph.initializers[name] != nil && !read.contains(name) {
                out.initializers[name] = nil
            }
        }
        out.nodes = nodes
        return out
    }
}
