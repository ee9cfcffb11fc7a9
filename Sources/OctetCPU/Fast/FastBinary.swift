import OctetCPUKernels
import OctetIR

/// Float Add, Sub, Mul and Div with a folded clamp, as flat vector loops split over `threads`.
///
/// Real models spend these on whole activations: residual Adds of two tensors of one shape, a learned
/// scale and shift of one value each (PP-LCNet's `x * s + b`), hard-swish as `x * clip(x + 3, 0, 6) / 6`,
/// squeeze-and-excitation's `x * gate` with one gate per channel. The reference walks broadcast strides on
/// one thread; here each of those layouts is a vector loop (`octet_f32_binary`, AVX-512 where the CPU has
/// it). Every lane computes `x op y` once, as the reference does, so the bits are the reference's (a Div
/// stays a division).
public enum FastBinary {
    /// Below this many values one thread is quicker than waking a second.
    static let parallelThreshold = 1 << 16

    /// How the two operands line up with the output.
    enum Layout: Equatable {
        /// Both hold every output value in order.
        case same
        /// `a` (or `b`) is one value, the other holds every output value.
        case scalarA, scalarB
        /// The output is `rows x n`; `a` (or `b`) holds it all, the other one value per row.
        case rowsA(n: Int), rowsB(n: Int)
    }

    /// The layout of `a op b`, or nil when neither applies (then the reference broadcasts).
    static func layout(_ a: [Int], _ b: [Int]) -> Layout? {
        guard let out = Broadcast.shape(a, b), let count = out.checkedElementCount else { return nil }
        let (na, nb) = (a.reduce(1, *), b.reduce(1, *))
        if na == count && nb == count { return .same }
        if na == count && nb == 1 { return .scalarB }
        if na == 1 && nb == count { return .scalarA }
        let loops = Broadcast.mergedLoops(out, Broadcast.strides(a, to: out), Broadcast.strides(b, to: out))
        guard loops.count == 2, let outer = loops.first, let inner = loops.last else { return nil }
        if (outer.strideA, inner.strideA, outer.strideB, inner.strideB) == (inner.count, 1, 1, 0) {
            return .rowsB(n: inner.count)
        }
        if (outer.strideA, inner.strideA, outer.strideB, inner.strideB) == (1, 0, inner.count, 1) {
            return .rowsA(n: inner.count)
        }
        return nil
    }

    /// `a op b`, then the optional clamp; nil for Pow, operands that are not float, or a broadcast that
    /// `layout` does not cover.
    public static func run(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, activation: FusedActivation? = nil,
                           threads: Int) -> Tensor? {
        guard op != .pow, case .f32(let x) = a.storage, case .f32(let y) = b.storage,
              let layout = layout(a.shape, b.shape), let shape = Broadcast.shape(a.shape, b.shape),
              !x.isEmpty, !y.isEmpty else { return nil }
        let count = shape.reduce(1, *)
        let output = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    let (x, y, out) = (x.baseAddress!, y.baseAddress!, out.baseAddress!)
                    switch layout {
                    case .same, .scalarA, .scalarB:
                        // Chunks of whole vectors, so only the last chunk has a scalar tail.
                        let vectors = (count + 7) / 8
                        let parts = count < parallelThreshold ? 1 : max(1, min(threads, vectors))
                        parallelFor(parts, threads: parts) { t in
                            let start = min(count, vectors * t / parts * 8)
                            let end = min(count, vectors * (t + 1) / parts * 8)
                            let xs = layout == .scalarA ? x : x + start, ys = layout == .scalarB ? y : y + start
                            apply(op, xs, layout == .scalarA, ys, layout == .scalarB, out + start,
                                  count: end - start, activation)
                        }
                    case .rowsA(let n), .rowsB(let n):
                        let rows = count / n
                        let rowsA = layout == .rowsA(n: n)
                        let parts = count < parallelThreshold ? 1 : max(1, min(threads, rows))
                        parallelFor(parts, threads: parts) { t in
                            for r in (rows * t / parts)..<(rows * (t + 1) / parts) {
                                apply(op, rowsA ? x + r : x + r * n, rowsA, rowsA ? y + r * n : y + r, !rowsA,
                                      out + r * n, count: n, activation)
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return Tensor(shape: shape, floats: output)
    }

    /// `count` values of `x op y`, then the optional clamp; an operand marked `one` is a single value.
    @inline(__always)
    static func apply(_ op: BinaryOp, _ x: UnsafePointer<Float>, _ xOne: Bool, _ y: UnsafePointer<Float>,
                      _ yOne: Bool, _ out: UnsafeMutablePointer<Float>, count: Int,
                      _ activation: FusedActivation?) {
        let code: Int32
        switch op {
        case .add: code = Int32(OCTET_F32_ADD)
        case .sub: code = Int32(OCTET_F32_SUB)
        case .mul: code = Int32(OCTET_F32_MUL)
        case .div: code = Int32(OCTET_F32_DIV)
        case .pow: preconditionFailure("Pow is left to the reference")
        }
        octet_f32_binary(code, x, xOne ? 1 : 0, y, yOne ? 1 : 0, out, count, activation == nil ? 0 : 1,
                         activation?.lower ?? 0, activation?.upper ?? 0, KernelISA.current == .avx512 ? 1 : 0)
    }

    /// `count` values of x clamped to `bounds`, as a folded Clip or Relu clamps (a NaN stays NaN).
    static func clamp(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
                      _ bounds: FusedActivation) {
        // x + 0 is x for every float but -0, which becomes +0: x * 1 keeps every bit.
        var one: Float = 1
        octet_f32_binary(Int32(OCTET_F32_MUL), x, 0, &one, 1, out, count, 1, bounds.lower, bounds.upper,
                         KernelISA.current == .avx512 ? 1 : 0)
    }
}
