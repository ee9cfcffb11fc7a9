import OctetIR

/// Float Add of two tensors of one shape (a residual connection), with a folded clamp, on `threads`.
///
/// The reference walks broadcast strides on one thread; this is a flat vector loop split in chunks.
public enum FastAdd {
    /// Below this many values one thread is quicker than waking a second.
    static let parallelThreshold = 1 << 16

    /// `a + b`, then the optional clamp; nil when the operands are not float tensors of the same shape.
    public static func run(_ a: Tensor, _ b: Tensor, activation: FusedActivation? = nil, threads: Int) -> Tensor? {
        guard case .f32(let x) = a.storage, case .f32(let y) = b.storage, a.shape == b.shape,
              x.count == y.count else { return nil }
        let count = x.count
        let output = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    // Chunks of whole vectors, so only the last chunk has a scalar tail.
                    let vectors = (count + 7) / 8
                    let parts = count < parallelThreshold ? 1 : max(1, min(threads, vectors))
                    parallelFor(parts, threads: parts) { t in
                        let start = min(count, vectors * t / parts * 8), end = min(count, vectors * (t + 1) / parts * 8)
                        add(x.baseAddress! + start, y.baseAddress! + start, out.baseAddress! + start,
                            count: end - start, activation)
                    }
                }
            }
            initialized = count
        }
        return Tensor(shape: a.shape, floats: output)
    }

    private static func add(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                            count: Int, _ activation: FusedActivation?) {
        let lo = SIMD8<Float>(repeating: activation?.lower ?? -.infinity)
        let hi = SIMD8<Float>(repeating: activation?.upper ?? .infinity)
        var i = 0
        while i + 8 <= count {
            var v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            if activation != nil {
                v = v.replacing(with: lo, where: v .< lo)
                v = v.replacing(with: hi, where: v .> hi)
            }
            UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let v = x[i] + y[i]
            out[i] = activation?.apply(v) ?? v
            i += 1
        }
    }
}
