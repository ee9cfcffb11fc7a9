import OctetIR

/// QLinearAdd of two int8 or uint8 tensors of one shape (a residual connection), by `QLinearRules.Add`, in
/// vector registers; bit-identical to the reference (the same float32 operations in the same order).
struct FastQLinearAdd: Sendable {
    let rule: QLinearRules.Add
    let output: DType

    static let parallelThreshold = 1 << 16

    /// nil when the operands are not integers of one type and one shape.
    func run(_ a: Tensor, _ b: Tensor, threads: Int) -> Tensor? {
        guard a.shape == b.shape, a.dtype == b.dtype else { return nil }
        switch (a.storage, b.storage) {
        case (.i8(let x), .i8(let y)): return run(x, y, shape: a.shape, signed: true, threads: threads)
        case (.u8(let x), .u8(let y)): return run(x, y, shape: a.shape, signed: false, threads: threads)
        default: return nil
        }
    }

    private func run<T: BitwiseCopyable>(_ x: [T], _ y: [T], shape: [Int], signed: Bool, threads: Int) -> Tensor {
        let count = x.count
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBytes { xb in
                y.withUnsafeBytes { yb in
                    let (xp, yp) = (xb.bindMemory(to: UInt8.self).baseAddress!, yb.bindMemory(to: UInt8.self).baseAddress!)
                    let vectors = (count + 7) / 8
                    let parts = count < Self.parallelThreshold ? 1 : max(1, min(threads, vectors))
                    parallelFor(parts, threads: parts) { t in
                        let start = min(count, vectors * t / parts * 8), end = min(count, vectors * (t + 1) / parts * 8)
                        apply(xp + start, yp + start, out.baseAddress! + start, count: end - start, signed: signed)
                    }
                }
            }
            initialized = count
        }
        return output == .u8 ? Tensor(shape: shape, uint8s: bytes) : Tensor(shape: shape, int8s: bytes.map { Int8(bitPattern: $0) })
    }

    private func apply(_ x: UnsafePointer<UInt8>, _ y: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>,
                       count: Int, signed: Bool) {
        let ra = SIMD8<Float>(repeating: rule.ratioA), rb = SIMD8<Float>(repeating: rule.ratioB)
        let fixed = SIMD8<Float>(repeating: rule.fixed)
        let lo = SIMD8<Float>(repeating: Float(rule.lower)), hi = SIMD8<Float>(repeating: Float(rule.upper))
        let magic = SIMD8<Float>(repeating: 12_582_912)
        func widen(_ p: UnsafePointer<UInt8>) -> SIMD8<Float> {
            let raw = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt8>.self)
            return signed ? SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int8>(truncatingIfNeeded: raw)))
                : SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: raw))
        }
        var i = 0
        while i + 8 <= count {
            let sum = ra * widen(x + i) + rb * widen(y + i)
            var v = sum + fixed
            v = v.replacing(with: lo, where: v .< lo)
            v = v.replacing(with: hi, where: v .> hi)
            let r = (v + magic) - magic
            let n = SIMD8<Int32>(r, rounding: .towardZero)
            UnsafeMutableRawPointer(out + i).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: n), as: SIMD8<UInt8>.self)
            i += 8
        }
        while i < count {
            let a = signed ? Int32(Int8(bitPattern: x[i])) : Int32(x[i])
            let b = signed ? Int32(Int8(bitPattern: y[i])) : Int32(y[i])
            out[i] = UInt8(truncatingIfNeeded: rule.apply(a, b))
            i += 1
        }
    }
}
