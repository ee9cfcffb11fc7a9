import OctetIR

/// A QuantizeLinear whose only reader is a DequantizeLinear with the same scale and zero point: the pair TVM
/// calls simulated quantization, computed in one float pass without the int8 tensor between. Per tensor, or
/// per channel along axis 1 with one zero point (a tensor only depthwise convolutions read), plane by plane.
///
/// Bit-identical to the two reference kernels: `x / scale` rounds half to even in Float, every integer the
/// clamp keeps is exact in Float, and NaN becomes the zero point as the reference's saturating cast makes it.
public struct FastFakeQuant: Sendable, Equatable {
    /// One scale, or one per channel of axis 1.
    var scales: [Float]
    var zeroPoint: Float
    /// The integer type's range: -128...127 or 0...255.
    var low: Float
    var high: Float

    static let parallelThreshold = 1 << 16

    public init(scales: [Float], zeroPoint: Float, low: Float, high: Float) {
        self.scales = scales
        self.zeroPoint = zeroPoint
        self.low = low
        self.high = high
    }

    /// The pair for constant parameters the fast kernels take (see `ConstantQuantParameters`); nil otherwise.
    init?(scale: Tensor, zeroPoint: Tensor?, axis: Int = 1) {
        guard let p = ConstantQuantParameters(scale: scale, zeroPoint: zeroPoint, axis: axis) else { return nil }
        let (low, high): (Float, Float) = p.type == .i8 ? (-128, 127) : (0, 255)
        self.init(scales: p.scales, zeroPoint: Float(p.zeroPoint), low: low, high: high)
    }

    /// The dequantized values; nil when `x` is not float or its channels are not the scales'.
    public func run(_ x: Tensor, threads: Int) -> Tensor? {
        guard case .f32(let values) = x.storage else { return nil }
        let count = values.count
        let channels = scales.count
        guard channels == 1 || (x.rank >= 2 && x.shape[1] == channels) else { return nil }
        let output = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { v in
                if channels > 1 {
                    let plane = x.shape[2...].reduce(1, *)
                    let planes = plane > 0 ? count / plane : 0
                    parallelFor(planes, threads: count < Self.parallelThreshold ? 1 : max(1, threads)) { p in
                        apply(v.baseAddress! + p * plane, out.baseAddress! + p * plane, count: plane, scale: scales[p % channels])
                    }
                    return
                }
                let parts = count < Self.parallelThreshold ? 1 : max(1, threads)
                parallelFor(parts, threads: parts) { t in
                    // Chunks of whole vectors, so only the last chunk has a scalar tail.
                    let vectors = (count + 7) / 8
                    let start = min(count, vectors * t / parts * 8), end = min(count, vectors * (t + 1) / parts * 8)
                    apply(v.baseAddress! + start, out.baseAddress! + start, count: end - start, scale: scales[0])
                }
            }
            initialized = count
        }
        return Tensor(shape: x.shape, floats: output)
    }

    private func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, scale: Float) {
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
