import OctetIR

/// The constant parameters of a QuantizeLinear (or of a Q/DQ pair) in the form the fast kernels take: one
/// scale, or one per channel along axis 1 (a tensor only depthwise convolutions read) with the same zero
/// point for every channel.
struct ConstantQuantParameters: Sendable, Equatable {
    var scales: [Float]
    /// The zero point, in the output type's own domain.
    var zeroPoint: Int32
    /// `.u8` or `.i8` (uint8 when the zero point is absent, as ONNX says).
    var type: DType

    /// Nil for anything else: non-finite or zero scales, per-channel scales on another axis, zero points
    /// that differ between channels or are not int8/uint8.
    init?(scale: Tensor, zeroPoint: Tensor?, axis: Int) {
        guard case .f32(let s) = scale.storage, !s.isEmpty, s.allSatisfy({ $0.isFinite && $0 != 0 }), scale.rank <= 1,
              s.count == 1 || axis == 1 else {
            return nil
        }
        scales = s
        func single<T: BinaryInteger>(_ z: [T]) -> Int32? {
            guard let first = z.first, z.count == s.count, zeroPoint!.shape == scale.shape, z.allSatisfy({ $0 == first })
            else { return nil }
            return Int32(first)
        }
        switch zeroPoint?.storage {
        case nil: (self.zeroPoint, type) = (0, .u8)
        case .u8(let z)?: guard let v = single(z) else { return nil }; (self.zeroPoint, type) = (v, .u8)
        case .i8(let z)?: guard let v = single(z) else { return nil }; (self.zeroPoint, type) = (v, .i8)
        default: return nil
        }
    }
}
