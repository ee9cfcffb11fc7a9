/// The arithmetic of the quantized elementwise and pooling ops, in onnxruntime's order (MLAS), so a
/// pre-quantized model gives the bits it gave where it was made; every backend mirrors these.
public enum QLinearRules {
    /// QLinearAdd: `y = saturate(round_half_even(ra·a + rb·b + fixed))` with `ra = sa / sy`, `rb = sb / sy`
    /// and `fixed = zy - (ra·za + rb·zb)`, every step one float32 operation (no fused multiply-add).
    ///
    /// | a, za, sa    | b, zb, sb    | sy, zy  | ra·a + rb·b + fixed | y   |
    /// |--------------|--------------|---------|---------------------|-----|
    /// | 10, 0, 0.5   | 20, 0, 0.25  | 1, 0    | 5 + 5 + 0 = 10      | 10  |
    /// | 3, 0, 0.5    | 0, 0, 1      | 1, 0    | 1.5                 | 2   |
    /// | 5, 0, 0.5    | 0, 0, 1      | 1, 0    | 2.5                 | 2   |
    /// | 100, 0, 1    | 100, 0, 1    | 1, 0    | 200                 | 127 |
    public struct Add: Sendable {
        public let ratioA: Float, ratioB: Float, fixed: Float
        public let lower: Int32, upper: Int32

        public init(a: (scale: Float, zeroPoint: Int32), b: (scale: Float, zeroPoint: Int32),
                    y: (scale: Float, zeroPoint: Int32), bounds: (lower: Int32, upper: Int32)) {
            ratioA = a.scale / y.scale
            ratioB = b.scale / y.scale
            let shift = ratioA * Float(a.zeroPoint) + ratioB * Float(b.zeroPoint)
            fixed = Float(y.zeroPoint) - shift
            (lower, upper) = bounds
        }

        @inline(__always)
        public func apply(_ a: Int32, _ b: Int32) -> Int32 {
            let sum = ratioA * Float(a) + ratioB * Float(b)
            var v = sum + fixed
            v = max(v, Float(lower))
            v = min(v, Float(upper))
            return Int32(v.rounded(.toNearestOrEven))
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
