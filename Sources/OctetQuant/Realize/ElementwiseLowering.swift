import OctetIR

/// Add and GlobalAveragePool between DequantizeLinear and QuantizeLinear become QLinearAdd and
/// QLinearGlobalAveragePool; ops that only move or select values (MaxPool, Concat, Pad, the reshape family,
/// Slice, Gather, Expand, nearest Resize) run on the integers themselves when every input and the output
/// share one scale and zero point, since then `Q(op(DQ(q))) = op(q)`.
struct ElementwiseLowering {
    let view: QDQView

    func lower(_ i: Int, names: inout FreshNames) -> Result<Lowering, RealizeRefusal>? {
        let node = view.graph.nodes[i]
        switch node.op {
        case .binary(.add): return add(node, i)
        case .globalAveragePool: return globalAveragePool(node, i, names: &names)
        case .maxPool:
            if node.outputs.count > 1 && !node.outputs[1].isEmpty {
                return .failure("MaxPool \"\(node.name)\" also returns indices")
            }
            return passThrough(node, i, dataInputs: [0])
        case .reshape, .flatten, .transpose, .squeeze, .unsqueeze, .identity, .slice, .gather, .expand:
            return passThrough(node, i, dataInputs: [0])
        case .resize(let a):
            // Nearest-neighbour resizing only selects values; interpolation would compute new ones.
            guard a.mode == .nearest else { return .failure("Resize \"\(node.name)\" interpolates (\(a.mode.rawValue))") }
            return passThrough(node, i, dataInputs: [0])
        case .concat:
            return passThrough(node, i, dataInputs: Array(node.inputs.indices))
        case .pad(let mode):
            return pad(node, i, mode)
        default: return nil
        }
    }

    private func add(_ node: Node, _ i: Int) -> Result<Lowering, RealizeRefusal> {
        Result { () throws(RealizeRefusal) -> Lowering in
            let a = try perTensor(node, 0), b = try perTensor(node, 1)
            let tail = try QuantizedTail.after(node.outputs[0], in: view).get()
            let inputs = [a.quantized, scaleName(node, 0), zeroName(node, 0), b.quantized, scaleName(node, 1), zeroName(node, 1),
                          view.graph.nodes[tail.quantize.node].inputs[1], view.graph.nodes[tail.quantize.node].input(2) ?? ""]
            guard !inputs[2].isEmpty, !inputs[5].isEmpty, !inputs[7].isEmpty else {
                throw "Add \"\(node.name)\": a zero point is omitted (QLinearAdd needs all three)"
            }
            return Lowering(replaced: [i] + tail.replaced,
                            nodes: [Node(name: node.name, op: .qlinearAdd(tail.bounds), inputs: inputs,
                                         outputs: [tail.quantize.output])])
        }
    }

    private func globalAveragePool(_ node: Node, _ i: Int, names: inout FreshNames) -> Result<Lowering, RealizeRefusal> {
        Result { () throws(RealizeRefusal) -> Lowering in
            let x = try perTensor(node, 0)
            let q = try view.soleQuantize(of: node.outputs[0]).get()
            let qNode = view.graph.nodes[q.node]
            guard !zeroName(node, 0).isEmpty, let zy = qNode.input(2) else {
                throw "GlobalAveragePool \"\(node.name)\": a zero point is omitted"
            }
            return Lowering(replaced: [i, q.node],
                            nodes: [Node(name: node.name, op: .qlinearGlobalAveragePool,
                                         inputs: [x.quantized, scaleName(node, 0), zeroName(node, 0), qNode.inputs[1], zy],
                                         outputs: [q.output])])
        }
    }

    /// The op on the integers, when its data inputs and its QuantizeLinear all carry the same quantization.
    private func passThrough(_ node: Node, _ i: Int, dataInputs: [Int]) -> Result<Lowering, RealizeRefusal> {
        Result { () throws(RealizeRefusal) -> Lowering in
            let q = try view.soleQuantize(of: node.outputs[0]).get()
            var inputs = node.inputs
            for k in dataInputs {
                let x = try perTensor(node, k)
                guard x.scale[0] == q.scale, x.zero == q.zero, x.dtype == q.dtype else {
                    throw RealizeRefusal("\(node.op.onnxName) \"\(node.name)\": input \(k + 1) has scale \(x.scale[0]) "
                        + "and zero point \(x.zero), its output \(q.scale) and \(q.zero)")
                }
                inputs[k] = x.quantized
            }
            var outputs = node.outputs
            outputs[0] = q.output
            return Lowering(replaced: [i, q.node], nodes: [Node(name: node.name, op: node.op, inputs: inputs, outputs: outputs)])
        }
    }

    /// Constant padding with 0 pads the integers with the zero point, since Q(0) is the zero point exactly.
    private func pad(_ node: Node, _ i: Int, _ mode: PadMode) -> Result<Lowering, RealizeRefusal> {
        guard mode == .constant || mode == .edge || mode == .reflect || mode == .wrap else {
            return .failure("Pad \"\(node.name)\": mode \(mode.rawValue)")
        }
        if mode == .constant, let v = node.input(2) {
            guard view.isConstantZero(v) else {
                return .failure("Pad \"\(node.name)\" pads with a value other than a constant 0")
            }
        }
        return passThrough(node, i, dataInputs: [0]).flatMap { lowering in
            guard mode == .constant else { return .success(lowering) }
            var lowered = lowering
            let q = view.graph.nodes[lowering.replaced[1]]
            guard let zeroPoint = q.input(2) else { return .failure("Pad \"\(node.name)\": its QuantizeLinear has no zero point") }
            while lowered.nodes[0].inputs.count < 3 { lowered.nodes[0].inputs.append("") }
            lowered.nodes[0].inputs[2] = zeroPoint
            return .success(lowered)
        }
    }

    private func perTensor(_ node: Node, _ i: Int) throws(RealizeRefusal) -> QDQView.Dequantized {
        guard let name = node.input(i) else { throw "\"\(node.name)\" has no input \(i + 1)" }
        let x = try view.dequantized(name).get()
        guard x.isPerTensor, x.dtype == .i8 || x.dtype == .u8 else {
            throw "input \"\(name)\" of \"\(node.name)\" is not int8 or uint8 per tensor"
        }
        return x
    }

    private func dequantizeNode(_ node: Node, _ i: Int) -> Node? {
        node.input(i).flatMap { view.producer[view.throughIdentities($0)] }.map { view.graph.nodes[$0] }
    }

    private func scaleName(_ node: Node, _ i: Int) -> String { dequantizeNode(node, i)?.inputs[1] ?? "" }
    private func zeroName(_ node: Node, _ i: Int) -> String { dequantizeNode(node, i)?.input(2) ?? "" }
}
