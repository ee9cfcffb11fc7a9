/// The left (broadcast) GEMM operand packed once: 6-row panels over all of K.
///
/// Panel `p` holds rows `6p..<6p+6` as `K × 6` floats, so any K range of a panel is contiguous; rows past
/// `rows` are zero. Convolution weights are packed this way when a model is compiled. The driver splats
/// one K block of one panel at a time into four-lane vectors for the micro-kernel (kept compact here:
/// splatted weights would be four times the model's size, and read from memory on every run).
public struct PackedLHS: Sendable {
    public let rows: Int
    public let depth: Int
    let panels: [Float]

    /// Packs `A[i][k] = values[i * rowStride + k * depthStride] * scale` for `i < rows`, `k < depth`.
    init(rows: Int, depth: Int, values: UnsafePointer<Float>, rowStride: Int, depthStride: Int, scale: Float = 1) {
        self.rows = rows
        self.depth = depth
        let panelCount = (rows + MicroTile.rows - 1) / MicroTile.rows
        let count = panelCount * depth * MicroTile.rows
        panels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for p in 0..<panelCount {
                for k in 0..<depth {
                    for r in 0..<MicroTile.rows {
                        let i = p * MicroTile.rows + r
                        buffer[(p * depth + k) * MicroTile.rows + r] =
                            i < rows ? values[i * rowStride + k * depthStride] * scale : 0
                    }
                }
            }
            initialized = count
        }
    }

    /// Packs a row-major `rows × depth` matrix.
    public init(rows: Int, depth: Int, rowMajor values: [Float], scale: Float = 1) {
        precondition(values.count >= rows * depth, "PackedLHS needs \(rows * depth) values, got \(values.count)")
        self = values.withUnsafeBufferPointer { buffer in
            PackedLHS(rows: rows, depth: depth, values: buffer.baseAddress!, rowStride: depth, depthStride: 1,
                      scale: scale)
        }
    }
}

/// The right (vector) GEMM operand packed once: 8-column panels over all of K, for constant weights.
///
/// Panel `j` holds columns `8j..<8j+8` as `K × 8` floats (two vectors a step); columns past `columns` are zero.
public struct PackedRHS: Sendable {
    public let depth: Int
    public let columns: Int
    let panels: [SIMD4<Float>]

    /// Packs `B[k][j] = values[k * depthStride + j * columnStride]`.
    init(depth: Int, columns: Int, values: UnsafePointer<Float>, depthStride: Int, columnStride: Int) {
        self.depth = depth
        self.columns = columns
        let panelCount = (columns + MicroTile.columns - 1) / MicroTile.columns
        let count = panelCount * depth * 2
        var panels = [SIMD4<Float>](repeating: SIMD4(), count: count)
        panels.withUnsafeMutableBufferPointer { buffer in
            let floats = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self)
            StridedRHS(values: values, depthStride: depthStride, columnStride: columnStride, columns: columns)
                .pack(depth: 0..<depth, columns: 0..<panelCount * MicroTile.columns, into: floats)
        }
        self.panels = panels
    }
}

/// A source of right-operand blocks for the GEMM driver: packed once, or packed per block on the fly.
protocol RHSBlockSource {
    /// The 8-column panels of `B[depth][columns]` (`columns.lowerBound` a multiple of 8) and the distance
    /// between panels in vectors; packs into `scratch` (room for the block) when not packed already.
    func block(depth: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
        -> (panels: UnsafePointer<SIMD4<Float>>, panelStride: Int)
}

/// A right operand packed block by block as the driver reaches it.
protocol RHSPacker: RHSBlockSource {
    /// Packs `B[depth][columns]` as 8-column panels, each `depth.count × 8` floats, panel after panel
    /// (columns past the matrix are zero). `columns.lowerBound` is a multiple of 8.
    func pack(depth: Range<Int>, columns: Range<Int>, into panels: UnsafeMutablePointer<Float>)
}

extension RHSPacker {
    func block(depth: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
        -> (panels: UnsafePointer<SIMD4<Float>>, panelStride: Int) {
        pack(depth: depth, columns: columns, into: scratch)
        let vectors = UnsafeRawPointer(scratch).assumingMemoryBound(to: SIMD4<Float>.self)
        return (vectors, depth.count * MicroTile.columns / 4)
    }
}

/// `B[k][j] = values[k * depthStride + j * columnStride]` for `j < columns`: dense or transposed matrices,
/// and the NCHW input of a 1x1 stride-1 convolution (channels × pixels) read directly.
struct StridedRHS: RHSPacker {
    let values: UnsafePointer<Float>
    let depthStride: Int
    let columnStride: Int
    let columns: Int

    func pack(depth: Range<Int>, columns range: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
        let kc = depth.count
        let panelSize = kc * MicroTile.columns
        var dst = panels
        for j0 in stride(from: range.lowerBound, to: range.upperBound, by: MicroTile.columns) {
            let width = max(0, min(MicroTile.columns, columns - j0))
            if width == MicroTile.columns && columnStride == 1 {
                var src = values + depth.lowerBound * depthStride + j0
                for k in 0..<kc {
                    let raw = UnsafeRawPointer(src)
                    let out = UnsafeMutableRawPointer(dst + k * MicroTile.columns)
                    out.storeBytes(of: raw.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                    out.storeBytes(of: raw.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self),
                                   toByteOffset: 16, as: SIMD4<Float>.self)
                    src += depthStride
                }
            } else {
                for k in 0..<kc {
                    let src = values + (depth.lowerBound + k) * depthStride + j0 * columnStride
                    let out = dst + k * MicroTile.columns
                    for c in 0..<MicroTile.columns { out[c] = c < width ? src[c * columnStride] : 0 }
                }
            }
            dst += panelSize
        }
    }
}

/// The panels of a `PackedRHS` read in place: no packing per block.
struct PrepackedRHS: RHSBlockSource {
    let panels: UnsafePointer<SIMD4<Float>>
    let depth: Int

    func block(depth range: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
        -> (panels: UnsafePointer<SIMD4<Float>>, panelStride: Int) {
        (panels + ((columns.lowerBound / MicroTile.columns) * depth + range.lowerBound) * 2, depth * 2)
    }
}
