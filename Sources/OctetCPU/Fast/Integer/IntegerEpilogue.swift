import OctetCPUKernels
import OctetIR

/// What an integer kernel makes of its int32 accumulators (bias already added, zero points already subtracted).
///
/// `c` below is the output channel (conv: axis 1 of the output; dense: the last axis); `ratios` and
/// `scales` have 1 or C entries. Worked values for `.requantize(ratios: [0.5], zeroPoint: 3, output: .i8,
/// lower: -128, upper: 127)`: acc 5 → 2.5 → 2 (ties to even) → 5; acc 7 → 3.5 → 4 → 7; acc 1000 → 500 → 127.
public enum IntegerEpilogue: Sendable, Equatable {
    /// y = clamp(round_half_even(Float(acc) * ratios[c]) + zeroPoint, lower, upper), stored as `output` (.i8 or .u8).
    case requantize(ratios: [Float], zeroPoint: Int32, output: DType, lower: Int32, upper: Int32)
    /// y = Float(acc) * scales[c], stored as f32.
    case dequantize(scales: [Float])
    /// y = acc, stored as i32 (ONNX ConvInteger / MatMulInteger).
    case int32
}

/// An epilogue resolved for C channels: one scale per channel and the clamp moved before the rounding.
struct IntegerEpilogueTable: Sendable {
    let kind: Int32
    let scales: [Float]
    let lower: Float
    let upper: Float
    let zeroPoint: Int32
    let outputType: DType

    /// Nil when the epilogue does not fit the kernels: a ratio list of another length, an output type other
    /// than i8/u8 for requantize, a zero point outside that type or an empty clamp within it.
    init?(_ epilogue: IntegerEpilogue, channels: Int) {
        func perChannel(_ values: [Float]) -> [Float]? {
            if values.count == channels { return values }
            return values.count == 1 ? Array(repeating: values[0], count: channels) : nil
        }
        switch epilogue {
        case .int32:
            (kind, scales, lower, upper, zeroPoint, outputType) = (OCTET_INT_OUT_I32, [], 0, 0, 0, .i32)
        case .dequantize(let s):
            guard let s = perChannel(s) else { return nil }
            (kind, scales, lower, upper, zeroPoint, outputType) = (OCTET_INT_OUT_F32, s, 0, 0, 0, .f32)
        case .requantize(let r, let zp, let output, let lo, let hi):
            guard let r = perChannel(r) else { return nil }
            let range: ClosedRange<Int32>
            switch output {
            case .i8: range = -128...127
            case .u8: range = 0...255
            default: return nil
            }
            // Bounds outside the type saturate to it, as a store of that type must.
            let (l, u) = (max(lo, range.lowerBound), min(hi, range.upperBound))
            guard range.contains(zp), l <= u else { return nil }
            // Integer bounds, so clamping before round-half-even equals clamping after it.
            (kind, scales, lower, upper, zeroPoint, outputType) =
                (OCTET_INT_OUT_8BIT, r, Float(l - zp), Float(u - zp), zp, output)
        }
    }

    /// The C epilogue for channels starting at `first`, with `bias` (all channels) added first.
    func c(bias: UnsafePointer<Int32>, scales: UnsafePointer<Float>?, first: Int) -> OctetIntEpilogue {
        OctetIntEpilogue(bias: bias + first, scale: scales.map { $0 + first }, kind: kind, lower: lower,
                         upper: upper, zero_point: zeroPoint)
    }

    /// A tensor of the output type and `shape`, its bytes written by `fill`.
    func makeOutput(shape: [Int], count: Int, _ fill: (UnsafeMutableRawPointer) -> Void) -> Tensor {
        func make<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                fill(UnsafeMutableRawPointer(buffer.baseAddress!))
                initialized = count
            }
        }
        switch outputType {
        case .i32: return Tensor(shape: shape, int32s: make(Int32.self))
        case .f32: return Tensor(shape: shape, floats: make(Float.self))
        case .i8: return Tensor(shape: shape, int8s: make(Int8.self))
        default: return Tensor(shape: shape, uint8s: make(UInt8.self))
        }
    }

    var elementSize: Int { outputType.byteSize }
}
