/// Shape rules for QuantizeLinear and DequantizeLinear: per-tensor or per-axis scales.
extension ShapeInference {
    func quantizeType(_ node: Node, axis: Int) throws(IRError) -> TensorType {
        let x = type(node, 0)
        try checkScale(node, axis: axis, data: x.shape)
        // The output type is the zero point's; without one ONNX quantizes to uint8.
        let dtype = node.input(2) == nil ? DType.u8 : type(node, 2).dtype
        if let dtype, dtype != .u8, dtype != .i8, dtype != .i32 {
            throw mismatch(node, "zero point is \(dtype.rawValue), QuantizeLinear produces int8, uint8 or int32")
        }
        return TensorType(dtype: dtype, shape: x.shape)
    }

    func dequantizeType(_ node: Node, axis: Int) throws(IRError) -> TensorType {
        let x = type(node, 0)
        try checkScale(node, axis: axis, data: x.shape)
        if let zp = type(node, 2).dtype, let xt = x.dtype, zp != xt {
            throw mismatch(node, "input is \(xt.rawValue) but its zero point is \(zp.rawValue)")
        }
        return TensorType(dtype: type(node, 1).dtype ?? .f32, shape: x.shape)
    }

    /// A scale is a scalar (per tensor) or a vector as long as the data's `axis` (per axis).
    private func checkScale(_ node: Node, axis: Int, data: [Dim]?) throws(IRError) {
        guard let scale = shape(node, 1) else { return }
        if let zp = shape(node, 2), zp.elementCount.sameSize(as: scale.elementCount) == false {
            throw mismatch(node, "zero point has shape \(shapeText(zp)), scale has \(shapeText(scale))")
        }
        if scale.isEmpty || (scale.count == 1 && scale[0] == .fixed(1)) { return }
        guard scale.count == 1 else { throw mismatch(node, "scale has \(scale.count) dims, must be a scalar or a vector") }
        guard let xs = data else { return }
        let a = try self.axis(node, axis, rank: xs.count)
        if xs[a].sameSize(as: scale[0]) == false {
            throw mismatch(node, "scale has \(scale[0]) elements, axis \(a) of the input has \(xs[a])")
        }
    }
}
