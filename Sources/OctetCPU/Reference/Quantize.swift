import OctetIR

/// QuantizeLinear and DequantizeLinear, per tensor or per axis, as ONNX defines them:
/// `q = saturate(round_half_even(x / scale) + zero_point)` and `x = (q - zero_point) * scale`.
///
/// | x / scale | round_half_even | + zp 0, int8 | + zp 128, uint8 |
/// |-----------|-----------------|--------------|-----------------|
/// |  2.5      |  2              |  2           | 130             |
/// | -2.5      | -2              | -2           | 126             |
/// |  3.5      |  4              |  4           | 132             |
/// |  300.0    |  300            |  127         | 255             |
/// |  +inf     |  +inf           |  127         | 255             |
enum Quantize {
    static func quantize(axis: Int, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let values = try ctx.floats(x)
        let (scales, channel) = try perChannel(ctx.input(1), of: x, axis: axis, ctx)
        let zeroPoint = ctx.optionalInput(2)
        if let zeroPoint, zeroPoint.shape != (try ctx.input(1)).shape {
            throw ctx.error("zero point has shape \(zeroPoint.shape), scale has \((try ctx.input(1)).shape)")
        }
        let zero = zeroPoint?.int64Values().map(Int.init) ?? [Int](repeating: 0, count: scales.count)
        func quantized(_ low: Int, _ high: Int) -> [Int] {
            var out = [Int](repeating: 0, count: values.count)
            for i in 0..<values.count {
                let c = channel(i)
                let q = Double((values[i] / scales[c]).rounded(.toNearestOrEven))
                // Bounded before the zero point is added: Int64.max + 128 would wrap to a negative value.
                let bounded = min(max(saturatingInt64(q), Int64(low) - 512), Int64(high) + 512)
                out[i] = Int(clamping: min(max(bounded + Int64(zero[c]), Int64(low)), Int64(high)))
            }
            return out
        }
        switch zeroPoint?.storage {
        case nil, .u8?: return Tensor(shape: x.shape, storage: .u8(quantized(0, 255).map { UInt8($0) }))
        case .i8?: return Tensor(shape: x.shape, storage: .i8(quantized(-128, 127).map { Int8($0) }))
        case .f32?, .f16?, .i32?, .i64?, .bool?:
            throw ctx.unsupported("zero point of type \(zeroPoint?.dtype.rawValue ?? "?"); int8 and uint8 are supported")
        }
    }

    static func dequantize(axis: Int, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0), scale = try ctx.input(1)
        switch x.dtype {
        case .i8, .u8, .i32: break
        case .f32, .f16, .i64, .bool: throw ctx.unsupported("input of type \(x.dtype); int8, uint8 and int32 are supported")
        }
        let (scales, channel) = try perChannel(scale, of: x, axis: axis, ctx)
        var zero = [Float](repeating: 0, count: scales.count)
        if let zp = ctx.optionalInput(2) {
            guard zp.dtype == x.dtype, zp.shape == scale.shape else {
                throw ctx.error("zero point is \(zp.dtype) \(zp.shape); expected \(x.dtype) \(scale.shape)")
            }
            zero = zp.floatValues()
        }
        let q = x.floatValues()
        var out = [Float](repeating: 0, count: q.count)
        for i in 0..<q.count {
            let c = channel(i)
            out[i] = (q[i] - zero[c]) * scales[c]
        }
        return ctx.floatTensor(shape: x.shape, out, like: scale)
    }

    /// The scales and, for element `i`, the index of its scale: one scale, or one per slice along `axis`.
    private static func perChannel(_ scale: Tensor, of x: Tensor, axis: Int, _ ctx: KernelContext)
        throws -> ([Float], (Int) -> Int) {
        let scales = try ctx.floats(scale, "scale")
        if scale.count == 1 && scale.rank <= 1 { return (scales, { _ in 0 }) }
        guard scale.rank == 1 else {
            throw ctx.unsupported("scale of shape \(scale.shape): blocked quantization is not supported")
        }
        let a = try ctx.normalizedAxis(axis, rank: x.rank)
        guard scale.count == x.shape[a] else {
            throw ctx.error("scale has \(scale.count) values for axis \(a) of size \(x.shape[a])")
        }
        let inner = product(x.shape, (a + 1)..<x.rank), dim = x.shape[a]
        return (scales, { ($0 / inner) % dim })
    }
}
