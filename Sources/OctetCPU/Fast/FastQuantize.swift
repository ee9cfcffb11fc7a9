import OctetIR

/// A per-tensor QuantizeLinear of float values, in vector registers: where float values enter an integer
/// region (after a float first convolution, at the model's input).
///
/// Bit-identical to the reference kernel: `x / scale` in Float, rounded half to even by the 1.5·2^23 trick
/// after a clamp that keeps it exact, the zero point added, saturated; NaN becomes the zero point.
struct FastQuantize: Sendable, Equatable {
    var scale: Float
    var zeroPoint: Float
    var low: Float
    var high: Float
    var output: DType

    static let parallelThreshold = 1 << 16

    /// For constant scalar scale and zero point; nil for per-axis parameters or other types.
    init?(scale: Tensor, zeroPoint: Tensor?) {
        guard let pair = FastFakeQuant(scale: scale, zeroPoint: zeroPoint) else { return nil }
        self.scale = pair.scale
        self.zeroPoint = pair.zeroPoint
        low = pair.low
        high = pair.high
        output = pair.low < 0 ? .i8 : .u8
    }

    /// The quantized tensor; nil when `x` is not f32.
    func run(_ x: Tensor, threads: Int) -> Tensor? {
        guard case .f32(let values) = x.storage else { return nil }
        let count = values.count
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { v in
                let vectors = (count + 7) / 8
                let parts = count < Self.parallelThreshold ? 1 : max(1, min(threads, vectors))
                parallelFor(parts, threads: parts) { t in
                    let start = min(count, vectors * t / parts * 8), end = min(count, vectors * (t + 1) / parts * 8)
                    apply(v.baseAddress! + start, out.baseAddress! + start, count: end - start)
                }
            }
            initialized = count
        }
        if output == .u8 { return Tensor(shape: x.shape, uint8s: bytes) }
        return Tensor(shape: x.shape, int8s: bytes.map { Int8(bitPattern: $0) })
    }

    private func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, count: Int) {
        let s = SIMD8<Float>(repeating: scale), z = SIMD8<Float>(repeating: zeroPoint)
        let lo = SIMD8<Float>(repeating: low), hi = SIMD8<Float>(repeating: high)
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let vlo = lo - z - 1, vhi = hi - z + 1
        var i = 0
        while i + 8 <= count {
            var v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) / s
            v = v.replacing(with: vlo, where: v .< vlo)
            v = v.replacing(with: vhi, where: v .> vhi)
            let r = (v + magic) - magic
            var q = r + z
            q = q.replacing(with: lo, where: q .< lo)
            q = q.replacing(with: hi, where: q .> hi)
            q = q.replacing(with: z, where: r .!= r)
            let n = SIMD8<Int32>(q, rounding: .towardZero)
            UnsafeMutableRawPointer(out + i).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: n), as: SIMD8<UInt8>.self)
            i += 8
        }
        while i < count {
            let r = (x[i] / scale).rounded(.toNearestOrEven)
            var q = r + zeroPoint
            q = q < low ? low : q
            q = q > high ? high : q
            out[i] = UInt8(truncatingIfNeeded: Int32(r.isNaN ? zeroPoint : q))
            i += 1
        }
    }
}
