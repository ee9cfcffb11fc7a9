/// Shape rules for the integer ops: int8/uint8 operands, int32 accumulators, requantized int8/uint8 outputs.
extension ShapeInference {
    func convIntegerType(_ node: Node, _ a: ConvAttributes) throws(IRError) -> TensorType {
        try checkOperands(node, [0, 1])
        try checkAccumulatorBias(node)
        try checkZeroPoint(node, 3, of: 0, perAxis: false)
        try checkZeroPoint(node, 4, of: 1, perAxis: true)
        let float = try convType(node, a)
        return TensorType(dtype: .i32, shape: float.shape)
    }

    func matMulIntegerType(_ node: Node) throws(IRError) -> TensorType {
        try checkOperands(node, [0, 1])
        try checkAccumulatorBias(node)
        try checkZeroPoint(node, 3, of: 0, perAxis: false)
        try checkZeroPoint(node, 4, of: 1, perAxis: true)
        let out = try matMulShape(node)
        if let b = shape(node, 2), let out, let last = out.last, b.count == 1, b[0].sameSize(as: last) == false {
            throw mismatch(node, "bias has \(b[0]) elements, the product has \(last) columns")
        }
        return TensorType(dtype: .i32, shape: out)
    }

    func requantizeType(_ node: Node, _ a: RequantizeAttributes) throws(IRError) -> TensorType {
        let x = type(node, 0)
        if let t = x.dtype, t != .i32 { throw mismatch(node, "input is \(t.rawValue), Requantize reads int32") }
        if let t = type(node, 1).dtype, t != .f32 { throw mismatch(node, "ratio is \(t.rawValue), must be f32") }
        if let ratio = shape(node, 1), let xs = x.shape, ratio.count == 1, ratio[0] != .fixed(1) {
            let axis = try self.axis(node, a.axis, rank: xs.count)
            if xs[axis].sameSize(as: ratio[0]) == false {
                throw mismatch(node, "ratio has \(ratio[0]) values, axis \(axis) has \(xs[axis])")
            }
        } else if let ratio = shape(node, 1), ratio.count > 1 {
            throw mismatch(node, "ratio has \(ratio.count) dims, must be a scalar or a vector")
        }
        return TensorType(dtype: try outputType(node, zeroPoint: 2), shape: x.shape)
    }

    func qlinearAddType(_ node: Node) throws(IRError) -> TensorType {
        try checkOperands(node, [0, 3])
        for (data, zp) in [(0, 2), (3, 5)] { try checkZeroPoint(node, zp, of: data, perAxis: false) }
        guard let sa = shape(node, 0), let sb = shape(node, 3) else {
            return TensorType(dtype: try outputType(node, zeroPoint: 7), shape: nil)
        }
        switch broadcastShapes(sa, sb) {
        case .success(let s): return TensorType(dtype: try outputType(node, zeroPoint: 7), shape: s)
        case .failure: throw mismatch(node, "\(shapeText(sa)) and \(shapeText(sb)) do not broadcast")
        }
    }

    func qlinearGlobalAveragePoolType(_ node: Node) throws(IRError) -> TensorType {
        try checkOperands(node, [0])
        try checkZeroPoint(node, 2, of: 0, perAxis: false)
        let pooled = try globalPoolType(node)
        return TensorType(dtype: try outputType(node, zeroPoint: 4), shape: pooled.shape)
    }

    func dynamicQuantizeTypes(_ node: Node) -> [TensorType] {
        [TensorType(dtype: .u8, shape: shape(node, 0)), TensorType(dtype: .f32, shape: []), TensorType(dtype: .u8, shape: [])]
    }

    /// Quantized operands are int8 or uint8.
    private func checkOperands(_ node: Node, _ inputs: [Int]) throws(IRError) {
        for i in inputs {
            if let t = type(node, i).dtype, t != .i8, t != .u8 {
                throw mismatch(node, "input \(i + 1) is \(t.rawValue), \(node.op.onnxName) reads int8 or uint8")
            }
        }
    }

    /// A zero point has its data's type, and one value (or one per channel when `perAxis`).
    private func checkZeroPoint(_ node: Node, _ i: Int, of data: Int, perAxis: Bool) throws(IRError) {
        let zp = type(node, i)
        if let t = zp.dtype, let d = type(node, data).dtype, t != d {
            throw mismatch(node, "zero point (input \(i + 1)) is \(t.rawValue), its data is \(d.rawValue)")
        }
        guard let s = zp.shape else { return }
        if s.count > 1 || (!perAxis && s.count == 1 && s[0].sameSize(as: .fixed(1)) == false) {
            throw mismatch(node, "zero point (input \(i + 1)) has shape \(shapeText(s)), needs \(perAxis ? "a scalar or a vector" : "a scalar")")
        }
    }

    private func checkAccumulatorBias(_ node: Node) throws(IRError) {
        if let t = type(node, 2).dtype, t != .i32 { throw mismatch(node, "bias is \(t.rawValue), must be int32") }
        if let s = shape(node, 2), s.count != 1 { throw mismatch(node, "bias has \(s.count) dims, must be 1") }
    }

    /// The output type: the output zero point's, int8 or uint8.
    private func outputType(_ node: Node, zeroPoint i: Int) throws(IRError) -> DType? {
        let t = type(node, i).dtype
        if let t, t != .i8, t != .u8 { throw mismatch(node, "output zero point is \(t.rawValue), must be int8 or uint8") }
        return t
    }
}
