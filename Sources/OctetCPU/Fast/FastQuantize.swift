import OctetCPUKernels
import OctetIR

/// A QuantizeLinear of float values, in vector registers: where float values enter an integer region (after
/// a float first convolution, at the model's input). Per tensor, or per channel along axis 1 with one zero
/// point (a tensor only depthwise convolutions read), one plane at a time.
///
/// Bit-identical to the reference kernel: `x / scale` (a true division, as onnxruntime's MLAS divides),
/// rounded half to even, the zero point added, saturated; NaN becomes the zero point. Int8 is computed as
/// uint8 with the zero point moved by 128, and stored with the top bit flipped.
struct FastQuantize: Sendable, Equatable {
    /// One scale, or one per channel of axis 1.
    var scales: [Float]
    /// In the uint8 domain (an int8 zero point + 128).
    var zeroPoint: Int32
    var output: DType

    static let parallelThreshold = 1 << 15

    /// For constant parameters the fast kernel takes (see `ConstantQuantParameters`); nil otherwise.
    init?(scale: Tensor, zeroPoint: Tensor?, axis: Int = 1) {
        guard let p = ConstantQuantParameters(scale: scale, zeroPoint: zeroPoint, axis: axis) else { return nil }
        scales = p.scales
        output = p.type
        self.zeroPoint = p.type == .i8 ? p.zeroPoint + 128 : p.zeroPoint
    }

    /// The quantized tensor; nil when `x` is not f32 or its channels are not the scales'.
    func run(_ x: Tensor, threads: Int) -> Tensor? {
        guard case .f32(let values) = x.storage else { return nil }
        let count = values.count
        // Per channel: planes of axis 1, each with its channel's scale.
        let channels = scales.count
        guard channels == 1 || (x.rank >= 2 && x.shape[1] == channels) else { return nil }
        let plane = channels == 1 ? count : x.shape[2...].reduce(1, *)
        let planes = channels == 1 ? 1 : count / max(plane, 1)
        let flip: UInt8 = output == .i8 ? 0x80 : 0
        let avx2: Int32 = KernelISA.current >= .avx2 ? 1 : 0
        let (scales, zeroPoint) = (self.scales, self.zeroPoint)
        func fill(_ out: UnsafeMutableRawBufferPointer) {
            values.withUnsafeBufferPointer { v in
                let bytes = out.bindMemory(to: UInt8.self).baseAddress!
                if channels > 1 {
                    parallelFor(planes, threads: count < Self.parallelThreshold ? 1 : max(1, threads)) { p in
                        octet_quantize_u8(v.baseAddress! + p * plane, bytes + p * plane, plane, scales[p % channels],
                                          zeroPoint, flip, avx2)
                    }
                    return
                }
                let parts = count < Self.parallelThreshold ? 1 : max(1, threads)
                parallelFor(parts, threads: parts) { t in
                    let start = count * t / parts, end = count * (t + 1) / parts
                    octet_quantize_u8(v.baseAddress! + start, bytes + start, end - start, scales[0], zeroPoint, flip, avx2)
                }
            }
        }
        if output == .u8 {
            return Tensor(shape: x.shape, uint8s: [UInt8](unsafeUninitializedCapacity: count) { out, n in
                fill(UnsafeMutableRawBufferPointer(out)); n = count
            })
        }
        return Tensor(shape: x.shape, int8s: [Int8](unsafeUninitializedCapacity: count) { out, n in
            fill(UnsafeMutableRawBufferPointer(out)); n = count
        })
    }
}
