import Foundation
import OctetIR

/// Conv, Gemm and MatMul between DequantizeLinear inputs: integer compute (`ConvInteger`, `MatMulInteger`)
/// with the bias in int32, then `Requantize` into the QuantizeLinear that reads the result (a Relu or Clip
/// between them folded into its bounds), or a DequantizeLinear of the accumulators when the result is read
/// as float (a classifier's logits).
///
/// The algebra: `x = sx·(qx - zx)`, `w = sw·(qw - zw)`, `b = sx·sw·qb`, so `conv(x, w) + b = sx·sw·acc` with
/// `acc = qb + Σ (qx - zx)(qw - zw)`, and `y = sy·(qy - zy)` gives `qy = acc · sx·sw/sy + zy`.
struct ComputeLowering {
    let view: QDQView

    func lower(_ i: Int, names: inout FreshNames) -> Result<Lowering, RealizeRefusal>? {
        let node = view.graph.nodes[i]
        switch node.op {
        case .conv(let a): return conv(node, i, a, names: &names)
        case .gemm(let a): return gemm(node, i, a, names: &names)
        case .matMul: return dense(node, i, bias: nil, transposeB: false, names: &names)
        default: return nil
        }
    }

    private func conv(_ node: Node, _ i: Int, _ a: ConvAttributes, names: inout FreshNames) -> Result<Lowering, RealizeRefusal> {
        Result { () throws(RealizeRefusal) -> Lowering in
            let w = try weight(node, 1, channelAxis: 0)
            guard let wq = w.constant, wq.rank >= 3 else { throw "weight of \"\(node.name)\" is not a constant of rank 3 or more" }
            let channels = wq.shape[0]
            // Each channel of a depthwise convolution is its own dot product: a scale per input channel folds
            // into that channel's ratio, so its input may be quantized per channel.
            let depthwise = a.group == channels && wq.shape[1] == 1
            let x = try activation(node, 0, perChannel: depthwise)
            let bias = try self.bias(node, 2, x: x, w: w, channels: channels, names: &names)
            var lowering = Lowering(replaced: [i], nodes: [])
            if let (name, t) = bias.new { lowering.initializers[name] = t }
            let acc = names.make(node.outputs[0] + "_accumulators")
            var inputZero = zeroPointName(node, 0)
            if !x.isPerTensor, let zp = x.zeroPoint, zp.count > 1 {
                inputZero = names.make(node.name + "_input_zero_point")
                lowering.initializers[inputZero] = Tensor(shape: [], storage: zp.dtype == .u8 ? .u8([UInt8(x.zeros[0])])
                                                           : .i8([Int8(x.zeros[0])]))
            }
            lowering.nodes.append(Node(name: node.name, op: .convInteger(a),
                                       inputs: [x.quantized, w.quantized, bias.name, inputZero, zeroPointName(node, 1)],
                                       outputs: [acc]))
            try finish(node, &lowering, acc: acc, x: x, w: w, channels: channels, axis: 1, perChannel: true, names: &names)
            return lowering
        }
    }

    private func gemm(_ node: Node, _ i: Int, _ a: GemmAttributes, names: inout FreshNames) -> Result<Lowering, RealizeRefusal> {
        guard a.alpha == 1, !a.transA else {
            return .failure("Gemm \"\(node.name)\" has alpha \(a.alpha) or transA: only alpha 1, A untransposed lowers")
        }
        if node.input(2) != nil && a.beta != 1 {
            return .failure("Gemm \"\(node.name)\" has beta \(a.beta): only beta 1 lowers")
        }
        return dense(node, i, bias: node.input(2), transposeB: a.transB, names: &names)
    }

    private func dense(_ node: Node, _ i: Int, bias biasName: String?, transposeB: Bool,
                       names: inout FreshNames) -> Result<Lowering, RealizeRefusal> {
        Result { () throws(RealizeRefusal) -> Lowering in
            let x = try activation(node, 0)
            var w = try weight(node, 1, channelAxis: transposeB ? 0 : 1)
            guard var b = w.constant, b.rank == 2 else { throw "B of \"\(node.name)\" is not a constant matrix" }
            var lowering = Lowering(replaced: [i], nodes: [])
            if transposeB {
                b = Self.transposed(b)
                let name = names.make(w.quantized + "_transposed")
                lowering.initializers[name] = b
                w.quantized = name
                w.constant = b
                if w.axis != nil { w.axis = 1 }
            }
            let channels = b.shape[1]
            let bias = try self.bias(node, biasName == nil ? nil : 2, x: x, w: w, channels: channels, names: &names)
            if let (name, t) = bias.new { lowering.initializers[name] = t }
            let acc = names.make(node.outputs[0] + "_accumulators")
            lowering.nodes.append(Node(name: node.name, op: .matMulInteger,
                                       inputs: [x.quantized, w.quantized, bias.name, zeroPointName(node, 0), zeroPointName(node, 1)],
                                       outputs: [acc]))
            try finish(node, &lowering, acc: acc, x: x, w: w, channels: channels, axis: -1, perChannel: false, names: &names)
            return lowering
        }
    }

    /// Requantize into the QuantizeLinear after the op, or dequantize the accumulators for float readers.
    private func finish(_ node: Node, _ lowering: inout Lowering, acc: String, x: QDQView.Dequantized,
                        w: QDQView.Dequantized, channels: Int, axis: Int, perChannel: Bool,
                        names: inout FreshNames) throws(RealizeRefusal) {
        let output = node.outputs[0]
        let perChannelScales = w.scale.count > 1 || x.scale.count > 1
        func inputScale(_ c: Int) -> Float { x.scale[x.scale.count == 1 ? 0 : c] }
        func weightScale(_ c: Int) -> Float { w.scale[w.scale.count == 1 ? 0 : c] }
        switch QuantizedTail.after(output, in: view, perChannel: perChannel) {
        case .success(let tail):
            let q = tail.quantize
            let count = perChannelScales || !q.isPerTensor ? channels : 1
            guard q.isPerTensor || q.scales.count == channels else {
                throw "\"\(node.name)\": its QuantizeLinear has \(q.scales.count) scales for \(channels) channels"
            }
            let ratios = (0..<count).map { c in
                Requantize.ratio(inputScale: inputScale(c), weightScale: weightScale(c), outputScale: q.scales[q.isPerTensor ? 0 : c])
            }
            if let bad = ratios.first(where: { !($0.isFinite && $0 > 0) }) {
                throw "\"\(node.name)\": the requantize ratio \(bad) is not a positive finite number"
            }
            let ratioName = names.make(node.name + "_ratio")
            lowering.initializers[ratioName] = ratios.count == 1 ? .scalar(ratios[0]) : Tensor(shape: [ratios.count], floats: ratios)
            let zeroPoint = names.make(node.name + "_output_zero_point")
            lowering.initializers[zeroPoint] = q.zeroPointTensor
            lowering.nodes.append(Node(name: names.make(node.name + "_requantize"),
                                       op: .requantize(RequantizeAttributes(axis: axis, bounds: tail.bounds)),
                                       inputs: [acc, ratioName, zeroPoint], outputs: [tail.quantize.output]))
            lowering.replaced += tail.replaced
        case .failure:
            // Read as float: the accumulators times sx·sw are the op's float result.
            let scales = (0..<(perChannelScales ? channels : 1)).map { inputScale($0) * weightScale($0) }
            let scaleName = names.make(node.name + "_accumulator_scale")
            lowering.initializers[scaleName] = scales.count == 1 ? .scalar(scales[0]) : Tensor(shape: [scales.count], floats: scales)
            lowering.nodes.append(Node(name: names.make(node.name + "_dequantize"), op: .dequantizeLinear(axis: axis),
                                       inputs: [acc, scaleName], outputs: [output]))
        }
    }

    /// A run-time input behind a DequantizeLinear of int8 or uint8: per tensor, or per channel (axis 1, one
    /// zero point) where `perChannel` allows.
    private func activation(_ node: Node, _ i: Int, perChannel: Bool = false) throws(RealizeRefusal) -> QDQView.Dequantized {
        guard let name = node.input(i) else { throw "\"\(node.name)\" has no input \(i + 1)" }
        let x = try view.dequantized(name).get()
        if !x.isPerTensor {
            guard perChannel, x.axis == 1 else {
                throw "input \"\(name)\" of \"\(node.name)\" is quantized per axis, which only a depthwise convolution takes"
            }
            guard Set(x.zeros).count == 1 else {
                throw "input \"\(name)\" of \"\(node.name)\" has a zero point per channel; one shared by all is needed"
            }
        }
        guard x.dtype == .i8 || x.dtype == .u8 else { throw "input \"\(name)\" of \"\(node.name)\" is \(x.dtype), not int8 or uint8" }
        return x
    }

    /// A constant int8/uint8 weight behind a DequantizeLinear, per tensor or per `channelAxis`.
    private func weight(_ node: Node, _ i: Int, channelAxis: Int) throws(RealizeRefusal) -> QDQView.Dequantized {
        guard let name = node.input(i) else { throw "\"\(node.name)\" has no weight" }
        let w = try view.dequantized(name).get()
        guard let data = w.constant, w.dtype == .i8 || w.dtype == .u8 else {
            throw "weight \"\(name)\" of \"\(node.name)\" is not a constant int8 or uint8 tensor"
        }
        if let axis = w.axis, axis != channelAxis || w.scale.count != data.shape[axis] {
            throw "weight \"\(name)\" of \"\(node.name)\" is quantized along axis \(axis), not its output channels"
        }
        return w
    }

    /// The int32 bias: a DequantizeLinear of int32 whose scale is sx·sw, or a float constant quantized here.
    private func bias(_ node: Node, _ i: Int?, x: QDQView.Dequantized, w: QDQView.Dequantized, channels: Int,
                      names: inout FreshNames) throws(RealizeRefusal) -> (name: String, new: (String, Tensor)?) {
        guard let i, let name = node.input(i) else { return ("", nil) }
        let expected = (0..<channels).map { x.scale[x.scale.count == 1 ? 0 : $0] * w.scale[w.scale.count == 1 ? 0 : $0] }
        // A stored int32 bias whose scale is sx·sw goes in as it is; with another scale (one bias shared by
        // convolutions with different input scales) it is requantized to sx·sw, as a float bias is.
        var floatBias: [Double]?
        if case .success(let b) = view.dequantized(name), let data = b.constant, data.dtype == .i32 {
            guard data.rank == 1, data.count == channels, b.zeros.allSatisfy({ $0 == 0 }) else {
                throw "bias \"\(name)\" of \"\(node.name)\" is not \(channels) int32 values with zero point 0"
            }
            let scales = (0..<channels).map { b.scale[b.scale.count == 1 ? 0 : $0] }
            if (0..<channels).allSatisfy({ abs(scales[$0] - expected[$0]) <= 1e-5 * expected[$0] }) {
                return (b.quantized, nil)
            }
            floatBias = zip(data.int64Values(), scales).map { Double(Float($0) * $1) }
        } else if let t = view.constants[view.throughIdentities(name)], t.dtype == .f32, t.count == channels {
            floatBias = t.floatValues().map(Double.init)
        }
        guard let values = floatBias else {
            throw "bias \"\(name)\" of \"\(node.name)\" is neither a quantized int32 constant nor a float constant of \(channels) values"
        }
        // Into the accumulators as onnxruntime's quantizer stores a float bias: round(b / (sx·sw)).
        var q = [Int32](repeating: 0, count: channels)
        for (c, v) in values.enumerated() {
            let r = (v / Double(expected[c])).rounded(.toNearestOrEven)
            guard r.isFinite, abs(r) < 2_147_483_647 else { throw "bias \"\(name)\" of \"\(node.name)\" overflows int32 at channel \(c)" }
            q[c] = Int32(r)
        }
        let quantized = names.make(name + "_int32")
        return (quantized, (quantized, Tensor(shape: [channels], int32s: q)))
    }
    private func zeroPointName(_ node: Node, _ i: Int) -> String {
        guard let name = node.input(i).map(view.throughIdentities), let p = view.producer[name] else { return "" }
        return view.graph.nodes[p].input(2) ?? ""
    }

    static func transposed(_ t: Tensor) -> Tensor {
        let (rows, columns) = (t.shape[0], t.shape[1])
        func move<T>(_ v: [T]) -> [T] { (0..<rows * columns).map { v[($0 % rows) * columns + $0 / rows] } }
        switch t.storage {
        case .i8(let v): return Tensor(shape: [columns, rows], int8s: move(v))
        case .u8(let v): return Tensor(shape: [columns, rows], uint8s: move(v))
        default: return t
        }
    }
}
