import OctetCPUKernels
import OctetIR

/// A per-tensor QuantizeLinear of float values, in vector registers: where float values enter an integer
/// region (after a float first convolution, at the model's input).
///
/// Bit-identical to the reference kernel: `x / scale` (a true division, as onnxruntime's MLAS divides),
/// rounded half to even, the zero point added, saturated; NaN becomes the zero point. Int8 is computed as
/// uint8 with the zero point moved by 128, and stored with the top bit flipped.
struct FastQuantize: Sendable, Equatable {
    var scale: Float
    /// In the uint8 domain (an int8 zero point + 128).
    var zeroPoint: Int32
    var output: DType

    static let parallelThreshold = 1 << 15

    /// For constant scalar scale and zero point; nil for per-axis parameters or other types.
    init?(scale: Tensor, zeroPoint: Tensor?) {
        guard scale.count == 1, scale.rank <= 1, case .f32(let s) = scale.storage, s[0].isFinite, s[0] != 0 else {
            return nil
        }
        self.scale = s[0]
        switch zeroPoint?.storage {
        case nil: (self.zeroPoint, output) = (0, .u8)
        case .u8(let z)? where z.count == 1 && zeroPoint!.shape == scale.shape: (self.zeroPoint, output) = (Int32(z[0]), .u8)
        case .i8(let z)? where z.count == 1 && zeroPoint!.shape == scale.shape: (self.zeroPoint, output) = (Int32(z[0]) + 128, .i8)
        default: return nil
        }
    }

    /// The quantized tensor; nil when `x` is not f32.
    func run(_ x: Tensor, threads: Int) -> Tensor? {
        guard case .f32(let values) = x.storage else { return nil }
        let count = values.count
        let flip: UInt8 = output == .i8 ? 0x80 : 0
        let avx2: Int32 = KernelISA.current >= .avx2 ? 1 : 0
        let (scale, zeroPoint) = (self.scale, self.zeroPoint)
        func fill(_ out: UnsafeMutableRawBufferPointer) {
            values.withUnsafeBufferPointer { v in
                let bytes = out.bindMemory(to: UInt8.self).baseAddress!
                let parts = count < Self.parallelThreshold ? 1 : max(1, threads)
                parallelFor(parts, threads: parts) { t in
                    let start = count * t / parts, end = count * (t + 1) / parts
                    octet_quantize_u8(v.baseAddress! + start, bytes + start, end - start, scale, zeroPoint, flip, avx2)
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
