/// C = A·B for a few rows of A (a dense layer at batch 1) against a prepacked B: a memory-bound stream.
///
/// The 6-row tile would spend most of its multiplies on zero rows here; this loop reads each B panel
/// once per row (a 16-column panel row is four vectors: four accumulators hide the add latency).
enum SkinnyGEMM {
    /// The tile is not worth it below this many rows.
    static let maximumRows = MicroTile.rows - 1

    /// `C[i][j] = bias[j] + Σₖ A[i][k]·B[k][j]` (A row-major with row stride `lda`), then the clamp.
    static func multiply(rows: Int, a: UnsafePointer<Float>, lda: Int, _ b: PackedRHS,
                         into c: UnsafeMutablePointer<Float>, ldc: Int, columnBias: UnsafePointer<Float>?,
                         activation: FusedActivation?, threads: Int) {
        let depth = b.depth, columns = b.columns
        let panels = (columns + MicroTile.columns - 1) / MicroTile.columns
        let parts = rows * depth * columns < PackedGEMM.parallelThreshold ? 1 : max(1, min(threads, panels))
        b.panels.withUnsafeBufferPointer { packed in
            parallelFor(parts, threads: parts) { t in
                var result = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
                for j in (panels * t / parts)..<(panels * (t + 1) / parts) {
                    let panel = packed.baseAddress! + j * depth * 4
                    let j0 = j * MicroTile.columns
                    let width = min(MicroTile.columns, columns - j0)
                    for i in 0..<rows {
                        let row = a + i * lda
                        var s0 = SIMD4<Float>(), s1 = s0, s2 = s0, s3 = s0
                        for k in 0..<depth {
                            let x = SIMD4<Float>(repeating: row[k])
                            s0 += x * panel[4 * k]; s1 += x * panel[4 * k + 1]
                            s2 += x * panel[4 * k + 2]; s3 += x * panel[4 * k + 3]
                        }
                        result = (s0, s1, s2, s3)
                        withUnsafeMutableBytes(of: &result) { bytes in
                            let values = bytes.assumingMemoryBound(to: Float.self)
                            for q in 0..<width {
                                var v = values[q] + (columnBias?[j0 + q] ?? 0)
                                if let activation { v = activation.apply(v) }
                                c[i * ldc + j0 + q] = v
                            }
                        }
                    }
                }
            }
        }
    }
}
