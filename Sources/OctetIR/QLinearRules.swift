/// The arithmetic of the quantized elementwise and pooling ops, in onnxruntime's order (MLAS), so a
/// pre-quantized model gives the bits it gave where it was made; every backend mirrors these.
public enum QLinearRules {
    /// QLinearAdd as onnxruntime computes it on x86: `ra = sa / sy`, `rb = sb / sy`,
    /// `fixed = zy - fma(ra, za, rb·zb)`, `y = saturate(round_half_even(fma(a, ra, fma(b, rb, fixed))))`, with
    /// fused multiply-adds (one rounding each) in that order. Int8 operands are first moved to uint8 by adding
    /// 128 to every value and zero point, as onnxruntime does before it fuses the op; that changes where the
    /// float roundings fall, so the rule does it too.
    ///
    /// | a, za, sa    | b, zb, sb    | sy, zy  | fma(a, ra, fma(b, rb, fixed)) | y   |
    /// |--------------|--------------|---------|-------------------------------|-----|
    /// | 10, 0, 0.5   | 20, 0, 0.25  | 1, 0    | 5 + 5 + 0 = 10                | 10  |
    /// | 3, 0, 0.5    | 0, 0, 1      | 1, 0    | 1.5                           | 2   |
    /// | 5, 0, 0.5    | 0, 0, 1      | 1, 0    | 2.5                           | 2   |
    /// | 100, 0, 1    | 100, 0, 1    | 1, 0    | 200                           | 127 |
    public struct Add: Sendable {
        public let ratioA: Float, ratioB: Float, fixed: Float
        /// 128 for int8 data (moved to uint8), 0 for uint8.
        public let shift: Int32
        /// The saturation bounds, in the shifted (uint8) domain.
        public let lower: Int32, upper: Int32

        public init(a: (scale: Float, zeroPoint: Int32), b: (scale: Float, zeroPoint: Int32),
                    y: (scale: Float, zeroPoint: Int32), bounds: (lower: Int32, upper: Int32), signed: Bool) {
            shift = signed ? 128 : 0
            ratioA = a.scale / y.scale
            ratioB = b.scale / y.scale
            let za = Float(a.zeroPoint + shift), zb = Float(b.zeroPoint + shift)
            fixed = Float(y.zeroPoint + shift) - (ratioB * zb).addingProduct(ratioA, za)
            (lower, upper) = (bounds.lower + shift, bounds.upper + shift)
        }

        @inline(__always)
        public func apply(_ a: Int32, _ b: Int32) -> Int32 {
            let t = fixed.addingProduct(Float(b + shift), ratioB).addingProduct(Float(a + shift), ratioA)
            let r = min(max(t, -1e9), 1e9).rounded(.toNearestOrEven)
            return min(max(Int32(r), lower), upper) - shift
        }
    }

    /// QLinearGlobalAveragePool: the plane's int32 sum less `zx · count`, requantized by `Requantize.apply`
    /// with ratio `sx / (sy · count)`.
    ///
    /// | sum | count | zx | sx  | sy  | zy | acc | ratio  | y  |
    /// |-----|-------|----|-----|-----|----|-----|--------|----|
    /// | 490 | 49    | 0  | 1   | 1   | 0  | 490 | 1/49   | 10 |
    /// | 98  | 49    | 1  | 0.5 | 0.5 | 3  | 49  | 1/49   | 4  |
    public struct GlobalAveragePool: Sendable {
        public let ratio: Float
        public let correction: Int32
        public let zeroPoint: Int32, lower: Int32, upper: Int32

        public init(x: (scale: Float, zeroPoint: Int32), y: (scale: Float, zeroPoint: Int32), count: Int,
                    bounds: (lower: Int32, upper: Int32)) {
            ratio = x.scale / (y.scale * Float(count))
            correction = x.zeroPoint &* Int32(truncatingIfNeeded: count)
            zeroPoint = y.zeroPoint
            (lower, upper) = bounds
        }

        @inline(__always)
        public func apply(sum: Int32) -> Int32 {
            Requantize.apply(sum &- correction, ratio: ratio, zeroPoint: zeroPoint, lower: lower, upper: upper)
        }
    }
}
