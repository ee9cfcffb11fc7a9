import OctetIR

/// QLinearGlobalAveragePool (com.microsoft), channels first: each plane's mean, requantized by
/// `QLinearRules.GlobalAveragePool`.
enum QLinearGlobalAveragePool {
    static func run(_ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        guard x.rank >= 3 else { throw ctx.error("input has shape \(x.shape); needs [N, C, spatial...]") }
        let px = try QuantizedScalar(ctx, scale: 1, zeroPoint: 2, of: x)
        let outZero = try ctx.input(4)
        let py = try QuantizedScalar(ctx, scale: 3, zeroPoint: 4, of: outZero)
        let planes = x.shape[0] * x.shape[1], size = product(x.shape, 2..<x.rank)
        guard size > 0 else { throw ctx.error("input has shape \(x.shape): an empty plane has no mean") }
        let rule = QLinearRules.GlobalAveragePool(x: (px.scale, px.zeroPoint), y: (py.scale, py.zeroPoint), count: size,
                                                  bounds: Requantize.bounds(outZero.dtype))
        let values = try IntegerOperands.integers(x, "input", ctx)
        var out = [Int32](repeating: 0, count: planes)
        for p in 0..<planes {
            var sum: Int32 = 0
            for i in 0..<size { sum &+= values[p * size + i] }
            out[p] = rule.apply(sum: sum)
        }
        let shape = Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.rank - 2)
        return outZero.dtype == .u8 ? Tensor(shape: shape, uint8s: out.map { UInt8($0) })
            : Tensor(shape: shape, int8s: out.map { Int8($0) })
    }
}
