/// The left (broadcast) GEMM operand packed once: 6-row panels, K block by K block.
///
/// K is cut in the driver's blocks (`PackedGEMM.depthBlock`); block after block, each holds every panel's
/// `kc × 6` floats, panel after panel, so the driver reads one block of A front to back as it walks the row
/// panels. Rows past `rows` are zero. Convolution weights are packed this way when a model is compiled.
/// The AVX2 kernel broadcasts from it directly; the portable driver splats one panel's block at a time
/// into four-lane vectors (kept compact here: splatted weights would be four times the model's size).
public struct PackedLHS: Sendable {
    public let rows: Int
    public let depth: Int
    let panels: [Float]

    /// Where row panel `p`'s block starting at depth `k0` (a multiple of the K block) begins in `panels`.
    @inline(__always)
    static func offset(panel p: Int, depth k0: Int, panelCount: Int, totalDepth: Int) -> Int {
        (k0 * panelCount + p * min(PackedGEMM.depthBlock, totalDepth - k0)) * MicroTile.rows
    }

    /// Packs `A[i][k] = values[i * rowStride + k * depthStride] * scale` for `i < rows`, `k < depth`.
    init(rows: Int, depth: Int, values: UnsafePointer<Float>, rowStride: Int, depthStride: Int, scale: Float = 1) {
        self.rows = rows
        self.depth = depth
        let panelCount = (rows + MicroTile.rows - 1) / MicroTile.rows
        let count = panelCount * depth * MicroTile.rows
        panels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for k0 in stride(from: 0, to: depth, by: PackedGEMM.depthBlock) {
                let kc = min(PackedGEMM.depthBlock, depth - k0)
                for p in 0..<panelCount {
                    let block = Self.offset(panel: p, depth: k0, panelCount: panelCount, totalDepth: depth)
                    for k in 0..<kc {
                        for r in 0..<MicroTile.rows {
                            let i = p * MicroTile.rows + r
                            buffer[block + k * MicroTile.rows + r] =
                                i < rows ? values[i * rowStride + (k0 + k) * depthStride] * scale : 0
                        }
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

/// The right (vector) GEMM operand packed once: 16-column panels over all of K, for constant weights.
///
/// Panel `j` holds columns `16j..<16j+16` as `K × 16` floats; columns past `columns` are zero.
public struct PackedRHS: Sendable {
    public let depth: Int
    public let columns: Int
    /// Stored as vectors for their 16-byte alignment.
    let panels: [SIMD4<Float>]

    /// Packs `B[k][j] = values[k * depthStride + j * columnStride]`.
    init(depth: Int, columns: Int, values: UnsafePointer<Float>, depthStride: Int, columnStride: Int) {
        self.depth = depth
        self.columns = columns
        let panelCount = (columns + MicroTile.columns - 1) / MicroTile.columns
        let count = panelCount * depth * MicroTile.columns / 4
        var panels = [SIMD4<Float>](repeating: SIMD4(), count: count)
        panels.withUnsafeMutableBufferPointer { buffer in
            let floats = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self)
            StridedRHS(values: values, depthStride: depthStride, columnStride: columnStride, columns: columns)
                .pack(depth: 0..<depth, columns: 0..<panelCount * MicroTile.columns, into: floats)
        }
        self.panels = panels
    }
}

/// A source of right-operand blocks for the GEMM driver: packed once, packed per block on the fly, or read
/// in place.
protocol RHSBlockSource {
    /// B as a row-major matrix the AVX-512 tile can read where it lies (pointer to B[0][0], row length), or
    /// nil when it must be packed.
    var inPlace: (values: UnsafePointer<Float>, rowStep: Int)? { get }

    /// The 16-column panels of `B[depth][columns]` (`columns.lowerBound` a multiple of 16) and the distance
    /// between panels in floats; packs into `scratch` (room for the block, 16-byte aligned) when not
    /// packed already.
    func block(depth: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
        -> (panels: UnsafePointer<Float>, panelStride: Int)
}

/// A right operand packed block by block as the driver reaches it.
protocol RHSPacker: RHSBlockSource {
    /// Packs `B[depth][columns]` as 16-column panels, each `depth.count × 16` floats, panel after panel
    /// (columns past the matrix are zero). `columns.lowerBound` is a multiple of 16.
    func pack(depth: Range<Int>, columns: Range<Int>, into panels: UnsafeMutablePointer<Float>)
}

extension RHSBlockSource {
    var inPlace: (values: UnsafePointer<Float>, rowStep: Int)? { nil }
}

extension RHSPacker {
    func block(depth: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
        -> (panels: UnsafePointer<Float>, panelStride: Int) {
        pack(depth: depth, columns: columns, into: scratch)
        return (UnsafePointer(scratch), depth.count * MicroTile.columns)
    }
}

/// `B[k][j] = values[k * depthStride + j * columnStride]` for `j < columns`: dense or transposed matrices,
/// and the NCHW input of a 1x1 stride-1 convolution (channels × pixels) read directly.
struct StridedRHS: RHSPacker {
    let values: UnsafePointer<Float>
    let depthStride: Int
    let columnStride: Int
    let columns: Int

    /// Unit column stride: B's rows are contiguous (a 1x1 convolution's input, a dense layer's input).
    var inPlace: (values: UnsafePointer<Float>, rowStep: Int)? { columnStride == 1 ? (values, depthStride) : nil }

    func pack(depth: Range<Int>, columns range: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
        let kc = depth.count
        let lanes = MicroTile.columns
        var dst = panels
        for j0 in stride(from: range.lowerBound, to: range.upperBound, by: lanes) {
            let width = max(0, min(lanes, columns - j0))
            if width == lanes && columnStride == 1 {
                var src = values + depth.lowerBound * depthStride + j0
                for k in 0..<kc {
                    UnsafeMutableRawPointer(dst + k * lanes).storeBytes(
                        of: UnsafeRawPointer(src).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    src += depthStride
                }
            } else {
                for k in 0..<kc {
                    let src = values + (depth.lowerBound + k) * depthStride + j0 * columnStride
                    let out = dst + k * lanes
                    for c in 0..<lanes { out[c] = c < width ? src[c * columnStride] : 0 }
                }
            }
            dst += kc * lanes
        }
    }
}

/// The panels of a `PackedRHS` read in place: no packing per block.
struct PrepackedRHS: RHSBlockSource {
    let panels: UnsafePointer<Float>
    let depth: Int

    func block(depth range: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
        -> (panels: UnsafePointer<Float>, panelStride: Int) {
        (panels + ((columns.lowerBound / MicroTile.columns) * depth + range.lowerBound) * MicroTile.columns,
         depth * MicroTile.columns)
    }
}
