import OctetIR

// Pre-quantized models in onnxruntime's QOperator form and the integer ops of the default domain.
//
// ConvInteger, MatMulInteger, DynamicQuantizeLinear and com.microsoft QLinearAdd and
// QLinearGlobalAveragePool have IR ops of their own. The other QLinear ops are imported in QDQ form,
// DequantizeLinear → float op → QuantizeLinear, which means the same: the realize step then lowers them
// like any QDQ group (QLinearConv and QLinearMatMul to integer kernels), and what it cannot lower runs as
// float between its Q/DQ nodes.

extension ONNXNodeContext {
    /// Default-domain op types imported here.
    static let quantizedOpTypes: Set<String> = [
        "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear",
    ]

    /// com.microsoft op types Octet imports (onnxruntime's contrib quantized ops).
    static let microsoftOpTypes: Set<String> = [
        "QLinearAdd", "QLinearMul", "QLinearConcat", "QLinearGlobalAveragePool", "QLinearAveragePool",
        "QLinearSigmoid", "QLinearLeakyRelu", "QGemm",
    ]

    mutating func importQuantizedOp() throws -> Op {
        switch proto.opType {
        case "ConvInteger":
            try requireInputs(2...4)
            let attributes = try convWindow()
            inputs = [input(0), input(1), "", input(2), input(3)]
            return .convInteger(attributes)
        case "MatMulInteger":
            try requireInputs(2...4)
            inputs = [input(0), input(1), "", input(2), input(3)]
            return .matMulInteger
        case "DynamicQuantizeLinear":
            try requireInputs(1...1)
            guard outputs.count == 3 else { throw error("has \(outputs.count) outputs, expected 3") }
            return .dynamicQuantizeLinear
        case "QLinearConv": return try importQLinearConv()
        case "QLinearMatMul":
            try requireInputs(8...8)
            let a = dequantize(0, 1, 2, axis: 1), b = dequantize(3, 4, 5, axis: -1)
            return quantized(.matMul, [a, b], scale: 6, zeroPoint: 7)
        case "QLinearAdd":
            try requireZeroPoints(8, [2, 5, 7])
            return .qlinearAdd(IntegerBounds())
        case "QLinearGlobalAveragePool":
            try requireZeroPoints(5, [2, 4])
            guard try int("channels_last", default: 0) == 0 else { throw error("channels_last = 1 is not supported") }
            return .qlinearGlobalAveragePool
        case "QLinearMul":
            try requireInputs(7...8)
            return quantized(.binary(.mul), [dequantize(0, 1, 2, axis: 1), dequantize(3, 4, 5, axis: 1)], scale: 6, zeroPoint: 7)
        case "QLinearSigmoid":
            try requireInputs(4...5)
            return quantized(.unary(.sigmoid), [dequantize(0, 1, 2, axis: 1)], scale: 3, zeroPoint: 4)
        case "QLinearLeakyRelu":
            try requireInputs(4...5)
            let op = Op.leakyRelu(alpha: try float("alpha", default: 0.01))
            return quantized(op, [dequantize(0, 1, 2, axis: 1)], scale: 3, zeroPoint: 4)
        case "QLinearAveragePool":
            try requireInputs(4...5)
            guard try int("channels_last", default: 0) == 0 else { throw error("channels_last = 1 is not supported") }
            return quantized(.averagePool(try poolWindow()), [dequantize(0, 1, 2, axis: 1)], scale: 3, zeroPoint: 4)
        case "QLinearConcat": return try importQLinearConcat()
        case "QGemm": return try importQGemm()
        default: throw error("op \(proto.opType) is not supported")
        }
    }

    private func input(_ i: Int) -> String { i < inputs.count ? inputs[i] : "" }

    private func requireZeroPoints(_ count: Int, _ zeroPoints: [Int]) throws {
        for i in zeroPoints where input(i).isEmpty {
            throw error("input \(i + 1) (a zero point) is omitted; Octet needs it to know the integer type")
        }
        try requireInputs(count...count)
    }

    /// A DequantizeLinear of input `data` with the scale and zero point at `scale` and `zeroPoint`.
    private func dequantize(_ data: Int, _ scale: Int, _ zeroPoint: Int, axis: Int) -> String {
        let out = builder.uniqueName("\(name)_\(data)_dequantized")
        builder.nodes.append(Node(name: out, op: .dequantizeLinear(axis: axis),
                                  inputs: [input(data), input(scale), input(zeroPoint)], outputs: [out]))
        return out
    }

    /// `op` on the dequantized inputs, quantized into the node's output by the scale and zero point given:
    /// the float op is appended, the QuantizeLinear returned (it defines the node's outputs).
    private mutating func quantized(_ op: Op, _ operands: [String], scale: Int, zeroPoint: Int) -> Op {
        let float = builder.uniqueName("\(name)_float")
        builder.nodes.append(Node(name: float, op: op, inputs: operands, outputs: [float]))
        inputs = [float, input(scale), input(zeroPoint)]
        return .quantizeLinear(axis: 1)
    }

    /// The scale of an int32 bias: input scale × weight scale, computed here when both are constants (as
    /// onnxruntime's kernels take them), else by a Mul node.
    private func biasScale(_ inputScale: String, _ weightScale: String, alpha: Float = 1) -> String {
        if let x = builder.initializers[inputScale], let w = builder.initializers[weightScale],
           case .f32(let xs) = x.storage, case .f32(let ws) = w.storage, xs.count == 1 {
            let values = ws.map { alpha * xs[0] * $0 }
            return builder.addInitializer(Tensor(shape: w.rank == 0 ? [] : [values.count], floats: values),
                                          preferredName: "\(name)_bias_scale")
        }
        let out = builder.uniqueName("\(name)_bias_scale")
        builder.nodes.append(Node(name: out, op: .binary(.mul), inputs: [inputScale, weightScale], outputs: [out]))
        return out
    }

    /// QLinearConv: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B?
    private mutating func importQLinearConv() throws -> Op {
        try requireInputs(8...9)
        let attributes = try convWindow()
        let x = dequantize(0, 1, 2, axis: 1), w = dequantize(3, 4, 5, axis: 0)
        var operands = [x, w]
        if !input(8).isEmpty {
            let out = builder.uniqueName("\(name)_bias_dequantized")
            builder.nodes.append(Node(name: out, op: .dequantizeLinear(axis: 0),
                                      inputs: [input(8), biasScale(input(1), input(4))], outputs: [out]))
            operands.append(out)
        }
        return quantized(.conv(attributes), operands, scale: 6, zeroPoint: 7)
    }

    /// QLinearConcat: y_scale, y_zero_point, then (x, x_scale, x_zero_point) for each input.
    private mutating func importQLinearConcat() throws -> Op {
        guard inputs.count >= 5, (inputs.count - 2) % 3 == 0, !inputs.contains(where: \.isEmpty) else {
            throw error("has \(inputs.count) inputs; expected y_scale, y_zero_point and triples (x, scale, zero point)")
        }
        guard let axis = try int("axis") else { throw error("axis is missing") }
        let parts = stride(from: 2, to: inputs.count, by: 3).map { dequantize($0, $0 + 1, $0 + 2, axis: 1) }
        let (scale, zeroPoint) = (input(0), input(1))
        inputs += [scale, zeroPoint]
        return quantized(.concat(axis: axis), parts, scale: inputs.count - 2, zeroPoint: inputs.count - 1)
    }

    /// QGemm: A, a_scale, a_zero_point, B, b_scale, b_zero_point, C?, y_scale?, y_zero_point? — float output
    /// without y_scale.
    private mutating func importQGemm() throws -> Op {
        try requireInputs(6...9)
        let attributes = GemmAttributes(alpha: try float("alpha", default: 1), beta: 1,
                                        transA: try bool("transA", default: false), transB: try bool("transB", default: false))
        let a = dequantize(0, 1, 2, axis: 1), b = dequantize(3, 4, 5, axis: attributes.transB ? 0 : 1)
        var operands = [a, b]
        if !input(6).isEmpty {
            let out = builder.uniqueName("\(name)_bias_dequantized")
            builder.nodes.append(Node(name: out, op: .dequantizeLinear(axis: 0),
                                      inputs: [input(6), biasScale(input(1), input(4), alpha: attributes.alpha)],
                                      outputs: [out]))
            operands.append(out)
        }
        guard !input(7).isEmpty else {
            inputs = operands
            return .gemm(attributes)
        }
        return quantized(.gemm(attributes), operands, scale: 7, zeroPoint: 8)
    }
}
