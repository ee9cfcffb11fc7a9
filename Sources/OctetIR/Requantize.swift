/// The integer path's one rounding rule: int32 accumulators back to int8/uint8 with a float32 ratio.
///
///     y = saturate(round_half_even(float32(acc) * ratio) + zero_point)    ratio = s_in * s_w / s_out
///
/// This is onnxruntime's MLAS rule (QLinearConv, QLinearMatMul) and TensorRT's: the accumulator is
/// converted to float32 (to nearest), multiplied once (no fused multiply-add), rounded half to even, then
/// the zero point is added and the sum saturated. Float32 multiply and round-to-nearest-even are the same on
/// x86 SIMD (`cvtps2dq`) and on CUDA (`__fmul_rn`, `__float2int_rn`), so every backend that follows this
/// file gives the same bits. Relu and Clip folded into an op narrow the saturation bounds.
///
/// | acc      | ratio     | zero point | bounds     | float32(acc) * ratio | rounded | y    |
/// |----------|-----------|------------|------------|----------------------|---------|------|
/// | 10       | 0.25      | 0          | -128...127 | 2.5                  | 2       | 2    |
/// | 14       | 0.25      | 0          | -128...127 | 3.5                  | 4       | 4    |
/// | -10      | 0.25      | 3          | -128...127 | -2.5                 | -2      | 1    |
/// | 1000     | 0.5       | 0          | -128...127 | 500                  | 500     | 127  |
/// | -1000    | 0.5       | 128        | 0...255    | -500                 | -500    | 0    |
/// | -7       | 1.0       | -128       | -128...127 | -7                   | -7      | -128 | (a folded Relu: lower = zero point)
/// | 16777217 | 1.0       | 0          | -128...127 | 16777216 (to nearest)| —       | 127  |
/// | 2^31 - 1 | 1e30      | 0          | 0...255    | +inf                 | —       | 255  |
public enum Requantize {
    /// `s_in * s_w / s_out` in float32, multiplied first as onnxruntime does (`X_scale * W_scale[i] / Y_scale`):
    /// another order can differ in the last bit, and so flip a rounding.
    public static func ratio(inputScale: Float, weightScale: Float, outputScale: Float) -> Float {
        inputScale * weightScale / outputScale
    }

    /// The bounds of an int8 or uint8 output, narrowed by folded activations.
    public static func bounds(_ dtype: DType, _ narrowed: IntegerBounds = IntegerBounds()) -> (lower: Int32, upper: Int32) {
        let (lo, hi): (Int32, Int32) = dtype == .u8 ? (0, 255) : (-128, 127)
        return (max(lo, narrowed.lower ?? lo), min(hi, narrowed.upper ?? hi))
    }

    /// One accumulator requantized. Clamping the product to the bounds (less the zero point) before rounding
    /// gives the same result as saturating after, since the bounds are integers, and keeps the conversion
    /// in range; this is the order vector code uses.
    @inline(__always)
    public static func apply(_ acc: Int32, ratio: Float, zeroPoint: Int32, lower: Int32, upper: Int32) -> Int32 {
        var v = Float(acc) * ratio
        v = max(v, Float(lower - zeroPoint))
        v = min(v, Float(upper - zeroPoint))
        if v.isNaN { return min(max(zeroPoint, lower), upper) }
        return Int32(v.rounded(.toNearestOrEven)) + zeroPoint
    }
}
