import OctetIR

/// Requantize: int32 accumulators to int8/uint8 by `Requantize.apply`, the ratio per tensor or along an axis.
enum RequantizeKernel {
    static func run(_ attributes: RequantizeAttributes, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0), ratio = try ctx.input(1), zp = try ctx.input(2)
        guard case .i32(let acc) = x.storage else { throw ctx.error("input is \(x.dtype), Requantize reads i32") }
        let ratios = try ctx.floats(ratio, "ratio")
        guard ratios.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw ctx.error("ratio \(ratios.first { !($0.isFinite && $0 > 0) } ?? 0) is not a positive finite number")
        }
        guard zp.count == 1, zp.dtype == .i8 || zp.dtype == .u8 else {
            throw ctx.error("output zero point is \(zp.dtype) \(zp.shape); expected one int8 or uint8 value")
        }
        let zero = Int32(zp.int64Values()[0])
        let (lower, upper) = Requantize.bounds(zp.dtype, attributes.bounds)
        var inner = acc.count, channels = 1
        if ratios.count > 1 {
            let axis = try ctx.normalizedAxis(attributes.axis, rank: x.rank)
            guard ratios.count == x.shape[axis] else {
                throw ctx.error("ratio has \(ratios.count) values for axis \(axis) of size \(x.shape[axis])")
            }
            inner = product(x.shape, (axis + 1)..<x.rank)
            channels = ratios.count
        }
        var out = [Int32](repeating: 0, count: acc.count)
        for i in 0..<acc.count {
            let c = channels == 1 ? 0 : (i / inner) % channels
            out[i] = Requantize.apply(acc[i], ratio: ratios[c], zeroPoint: zero, lower: lower, upper: upper)
        }
        return zp.dtype == .u8 ? Tensor(shape: x.shape, uint8s: out.map { UInt8($0) })
            : Tensor(shape: x.shape, int8s: out.map { Int8($0) })
    }
}
