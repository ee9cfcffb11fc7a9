import Foundation
import OctetIR

/// The parameters of one quantized tensor, as ONNX QuantizeLinear takes them:
/// `q = saturate(round_half_even(x / scale) + zeroPoint)`, per tensor or per channel along `axis`.
///
///     int8, threshold 6.35 -> scale 0.05, zero point 0:   x = 1.0 -> 20,  x = 7.0 -> 127 (saturated)
///     uint8, range [0, 5.1] -> scale 0.02, zero point 0:   x = 1.0 -> 50
///     uint8, range [-1, 1.55] -> scale 0.01, zero point 100: x = 0 -> 100
public struct QuantParams: Sendable, Equatable {
    public var scales: [Float]
    public var zeroPoints: [Int32]
    /// `.i8`, `.u8` or `.i32` (biases).
    public var dtype: DType
    /// The channel axis for per-channel parameters; nil for per-tensor.
    public var axis: Int?

    public init(scales: [Float], zeroPoints: [Int32], dtype: DType, axis: Int? = nil) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.dtype = dtype
        self.axis = axis
    }

    /// Symmetric int8 for values in [-threshold, threshold]; with `powerOfTwo`, the scale rounds up to 2^k.
    public static func symmetric(threshold: Double, powerOfTwo: Bool = false) -> QuantParams {
        QuantParams(scales: [symmetricScale(threshold, powerOfTwo: powerOfTwo)], zeroPoints: [0], dtype: .i8)
    }

    /// Asymmetric uint8 for [low, high], widened to include zero so that zero is exact (padding, ReLU).
    public static func asymmetric(low: Double, high: Double) -> QuantParams {
        let lo = min(low, 0), hi = max(high, 0)
        let scale = hi > lo ? (hi - lo) / 255 : 1
        let zp = (-lo / scale).rounded(.toNearestOrEven)
        return QuantParams(scales: [Float(scale)], zeroPoints: [Int32(min(max(zp, 0), 255))], dtype: .u8)
    }

    static func symmetricScale(_ threshold: Double, powerOfTwo: Bool) -> Float {
        guard threshold > 0, threshold.isFinite else { return 1 }
        let scale = threshold / 127
        return Float(powerOfTwo ? exp2(ceil(log2(scale))) : scale)
    }

    public var range: ClosedRange<Int32> {
        switch dtype {
        case .u8: 0...255
        case .i32: Int32.min...Int32.max
        default: -128...127
        }
    }
}
