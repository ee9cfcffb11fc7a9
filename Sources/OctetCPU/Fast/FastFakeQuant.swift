import OctetIR

/// A per-tensor QuantizeLinear whose only reader is a DequantizeLinear with the same scale and zero point:
/// the pair TVM calls simulated quantization, computed in one float pass without the int8 tensor between.
///
/// Bit-identical to the two reference kernels: `x / scale` rounds half to even in Float, every integer the
/// clamp keeps is exact in Float, and NaN becomes the zero point as the reference's saturating cast makes it.
struct FastFakeQuant: Sendable, Equatable {
    var scale: Float
    var zeroPoint: Float
    /// The integer type's range: -128...127 or 0...255.
    var low: Float
    var high: Float

    static let parallelThreshold = 1 << 16

    init(scale: Float, zeroPoint: Float, low: Float, high: Float) {
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.low = low
        self.high = high
    }

    /// The pair for scalar constant scale and zero point tensors; nil for per-axis or non-integer types.
    init?(scale: Tensor, zeroPoint: Tensor?) {
        guard scale.count == 1, scale.rank <= 1, case .f32(let s) = scale.storage, s[0].isFinite, s[0] != 0 else {
            return nil
        }
        switch zeroPoint?.storage {
        case nil: self.init(scale: s[0], zeroPoint: 0, low: 0, high: 255)
        case .u8(let z)? where zeroPoint!.count == 1 && zeroPoint!.shape == scale.shape:
            self.init(scale: s[0], zeroPoint: Float(z[0]), low: 0, high: 255)
        case .i8(let z)? where zeroPoint!.count == 1 && zeroPoint!.shape == scale.shape:
            self.init(scale: s[0], zeroPoint: Float(z[0]), low: -128, high: 127)
        default: return nil
        }
    }

    /// The dequantized values; nil when `x` is not float.
    func run(_ x: Tensor, threads: Int) -> Tensor? {
        guard case .f32(let values) = x.storage else { return nil }
        let count = values.count
        let output = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { v in
                let parts = count < Self.parallelThreshold ? 1 : max(1, threads)
                parallelFor(parts, threads: parts) { t in
                    // Chunks of whole vectors, so only the last chunk has a scalar tail.
                    let vectors = (count + 7) / 8
                    let start = min(count, vectors * t / parts * 8), end = min(count, vectors * (t + 1) / parts * 8)
                    apply(v.baseAddress! + start, out.baseAddress! + start, count: end - start)
                }
            }
            initialized = count
        }
        return Tensor(shape: x.shape, floats: output)
    }

    private func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        let s = SIMD8<Float>(repeating: scale), z = SIMD8<Float>(repeating: zeroPoint)
        let lo = SIMD8<Float>(repeating: low), hi = SIMD8<Float>(repeating: high)
        var i = 0
        // Rounding by adding and taking away 1.5 * 2^23 rounds half to even in the FPU's default mode, in
        // vector registers (SIMD `rounded` calls rintf per lane); exact for |v| < 2^22, so v is first
        // clamped just outside the integer range, which changes nothing that the final clamp keeps.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let vlo = lo - z - 1, vhi = hi - z + 1
        while i + 8 <= count {
            var v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) / s
            v = v.replacing(with: vlo, where: v .< vlo)
            v = v.replacing(with: vhi, where: v .> vhi)
            let r = (v + magic) - magic
            var q = r + z
            q = q.replacing(with: lo, where: q .< lo)
            q = q.replacing(with: hi, where: q .> hi)
            // NaN fails every comparison above; the reference turns it into the zero point.
            q = q.replacing(with: z, where: r .!= r)
            UnsafeMutableRawPointer(out + i).storeBytes(of: (q - z) * s, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let r = (x[i] / scale).rounded(.toNearestOrEven)
            var q = r + zeroPoint
            q = q < low ? low : q
            q = q > high ? high : q
            out[i] = r.isNaN ? 0 : (q - zeroPoint) * scale
            i += 1
        }
    }
}
