/// The register tile of the packed GEMM: 6 rows of the broadcast operand times 16 columns of the vector operand.
///
/// On AVX2 the tile is one call of the C kernel (12 `ymm` accumulators). The portable kernel below covers
/// it as two 6 × 8 halves: plain x86_64 builds target SSE2 (no FMA, no broadcast load), so its left operand
/// is splatted to four lanes first and the inner loop is only aligned loads, `mulps` and `addps`, 12
/// accumulators in 12 of the 16 `xmm` registers (measured 1.4x faster than splatting in the loop).
enum MicroTile {
    static let rows = 6
    static let columns = 16
    /// Columns of one portable half tile.
    static let halfColumns = 8
}

/// How a tile's accumulators start and end: from bias or from C, and clamped on the last K block.
struct TileEpilogue {
    /// Load the current C tile and add to it (a later K block) instead of starting from the biases.
    var accumulate: Bool
    /// Six per-row biases (tile rows), always readable; zeros when the GEMM has none.
    var rowBias: UnsafePointer<Float>
    /// Eight per-column biases (half-tile columns), always readable; zeros when the GEMM has none.
    var columnBias: UnsafePointer<Float>
    /// Values laid out like C (row stride `ldc`) added to the biases (a residual connection), or nil.
    var addend: UnsafePointer<Float>? = nil
    /// Clamp the results (fused ReLU/Clip); only on the last K block.
    var clamp: FusedActivation?
}

extension MicroTile {
    /// C[0..<6][0..<8] (row stride `ldc`) = start + Σₖ A[k][r]·B[k][c] over `depth` steps of packed panels.
    ///
    /// `a` holds `depth × 6` splatted values; `b` holds 2 vectors (8 columns) every `bStride` vectors, one
    /// step of K each; both 16-byte aligned.
    @inline(never)
    static func multiplyHalf(depth: Int, a: UnsafePointer<SIMD4<Float>>, b: UnsafePointer<SIMD4<Float>>,
                             bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: TileEpilogue) {
        var c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51: SIMD4<Float>
        if epilogue.accumulate {
            (c00, c01) = load(c); (c10, c11) = load(c + ldc); (c20, c21) = load(c + 2 * ldc)
            (c30, c31) = load(c + 3 * ldc); (c40, c41) = load(c + 4 * ldc); (c50, c51) = load(c + 5 * ldc)
        } else {
            let (b0, b1) = load(UnsafeMutablePointer(mutating: epilogue.columnBias))
            let r = epilogue.rowBias
            c00 = b0 + r[0]; c01 = b1 + r[0]; c10 = b0 + r[1]; c11 = b1 + r[1]; c20 = b0 + r[2]; c21 = b1 + r[2]
            c30 = b0 + r[3]; c31 = b1 + r[3]; c40 = b0 + r[4]; c41 = b1 + r[4]; c50 = b0 + r[5]; c51 = b1 + r[5]
            if let p = epilogue.addend.map(UnsafeMutablePointer.init(mutating:)) {
                var (x, y) = load(p); c00 += x; c01 += y
                (x, y) = load(p + ldc); c10 += x; c11 += y
                (x, y) = load(p + 2 * ldc); c20 += x; c21 += y
                (x, y) = load(p + 3 * ldc); c30 += x; c31 += y
                (x, y) = load(p + 4 * ldc); c40 += x; c41 += y
                (x, y) = load(p + 5 * ldc); c50 += x; c51 += y
            }
        }
        var a = a, b = b
        for _ in 0..<depth {
            let b0 = b[0], b1 = b[1]
            c00 += a[0] * b0; c01 += a[0] * b1
            c10 += a[1] * b0; c11 += a[1] * b1
            c20 += a[2] * b0; c21 += a[2] * b1
            c30 += a[3] * b0; c31 += a[3] * b1
            c40 += a[4] * b0; c41 += a[4] * b1
            c50 += a[5] * b0; c51 += a[5] * b1
            a += 6
            b += bStride
        }
        if let clamp = epilogue.clamp {
            let lo = SIMD4<Float>(repeating: clamp.lower), hi = SIMD4<Float>(repeating: clamp.upper)
            c00 = c00.clamped(lo, hi); c01 = c01.clamped(lo, hi); c10 = c10.clamped(lo, hi)
            c11 = c11.clamped(lo, hi); c20 = c20.clamped(lo, hi); c21 = c21.clamped(lo, hi)
            c30 = c30.clamped(lo, hi); c31 = c31.clamped(lo, hi); c40 = c40.clamped(lo, hi)
            c41 = c41.clamped(lo, hi); c50 = c50.clamped(lo, hi); c51 = c51.clamped(lo, hi)
        }
        store(c, c00, c01); store(c + ldc, c10, c11); store(c + 2 * ldc, c20, c21)
        store(c + 3 * ldc, c30, c31); store(c + 4 * ldc, c40, c41); store(c + 5 * ldc, c50, c51)
    }

    @inline(__always)
    private static func load(_ p: UnsafeMutablePointer<Float>) -> (SIMD4<Float>, SIMD4<Float>) {
        let raw = UnsafeRawPointer(p)
        return (raw.loadUnaligned(as: SIMD4<Float>.self), raw.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self))
    }

    @inline(__always)
    private static func store(_ p: UnsafeMutablePointer<Float>, _ v0: SIMD4<Float>, _ v1: SIMD4<Float>) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: v0, as: SIMD4<Float>.self)
        raw.storeBytes(of: v1, toByteOffset: 16, as: SIMD4<Float>.self)
    }
}
