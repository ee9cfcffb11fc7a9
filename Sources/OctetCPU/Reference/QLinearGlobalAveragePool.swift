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
        // Summed straight from the stored bytes: no widened copy of the whole input.
        func means<T: FixedWidthInteger>(_ values: [T]) -> [Int32] {
            values.withUnsafeBufferPointer { v in
                (0..<planes).map { p in
                    var sum: Int32 = 0
                    for i in p * size..<(p + 1) * size { sum &+= Int32(v[i]) }
                    return rule.apply(sum: sum)
                }
            }
        }
        let out: [Int32]
        switch x.storage {
        case .i8(let v): out = means(v)
        case .u8(let v): out = means(v)
        default: throw ctx.unsupported("input is \(x.dtype); int8 and uint8 are supported")
        }
        let shape = Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.rank - 2)
        return outZero.dtype == .u8 ? Tensor(shape: shape, uint8s: out.map { UInt8($0) })
            : Tensor(shape: shape, int8s: out.map { Int8($0) })
    }
}
