import OctetCPUKernels

/// What a GEMM adds to A·B before the activation.
enum GEMMBias {
    case none
    /// One value per row of C (a convolution's per-channel bias); `rows` values readable.
    case rows(UnsafePointer<Float>)
    /// One value per column of C (a dense layer's bias); `columns` values readable.
    case columns(UnsafePointer<Float>)
    /// C already holds the addend (Gemm's β·C): accumulate into it.
    case existing
}

/// Single-precision C = A·B (+ bias, then an optional clamp) on packed panels, cache-blocked, on `threads`.
///
/// A is a `PackedLHS` (6-row panels); B comes from a `RHSBlockSource` (16-column panels). The K dimension
/// is cut in blocks; each block of an A panel stays in L1 while the B panels of the block stream from L2.
/// The work is split over columns (or rows, when that balances better) into one contiguous range per
/// thread.
enum PackedGEMM {
    /// K block: one A panel block (depthBlock × 6 floats, splatted to four lanes on the portable path)
    /// stays in L1 beside a B panel; the packed weights are laid out in these blocks.
    static let depthBlock = 192
    /// N block: a packed B block (depthBlock × columnBlock floats) stays in L2.
    static let columnBlock = 256
    /// Below this many multiply-adds a second thread costs more than it saves.
    static let parallelThreshold = 200_000

    /// `addend`, when given, is laid out like C (row stride `ldc`) and added before the clamp (a residual
    /// connection folded into a convolution); not with `.existing`.
    static func multiply<RHS: RHSBlockSource>(
        _ lhs: PackedLHS, _ rhs: RHS, columns: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: GEMMBias, addend: UnsafePointer<Float>? = nil, activation: FusedActivation?, threads: Int
    ) {
        let rows = lhs.rows, depth = lhs.depth
        guard rows > 0, columns > 0 else { return }
        let rowPanels = (rows + MicroTile.rows - 1) / MicroTile.rows
        let columnPanels = (columns + MicroTile.columns - 1) / MicroTile.columns
        // Biases padded to whole tiles so the micro-kernels always read whole tiles of them.
        var rowBias = [Float](repeating: 0, count: rowPanels * MicroTile.rows)
        var columnBias = [Float](repeating: 0, count: columnPanels * MicroTile.columns)
        switch bias {
        case .rows(let p): for i in 0..<rows { rowBias[i] = p[i] }
        case .columns(let p): for j in 0..<columns { columnBias[j] = p[j] }
        case .none, .existing: break
        }
        let split = WorkSplit(rowPanels: rowPanels, columns: columns,
                              threads: rows * columns * depth < parallelThreshold ? 1 : threads)
        lhs.panels.withUnsafeBufferPointer { a in
            rowBias.withUnsafeBufferPointer { rb in
                columnBias.withUnsafeBufferPointer { cb in
                    let job = GEMMJob(a: a.baseAddress!, rows: rows, depth: depth, columns: columns, c: c, ldc: ldc,
                                      rowBias: rb.baseAddress!, columnBias: cb.baseAddress!,
                                      accumulate: { if case .existing = bias { true } else { false } }(),
                                      addend: addend, activation: activation, isa: KernelISA.current)
                    if job.isa == .avx512, let direct = rhs.inPlace {
                        // The tile reads B where it lies: no packing at all.
                        split.forEachPart { job.runInPlace(direct.values, rowStep: direct.rowStep, rowPanels: $0, columnPanels: $1) }
                    } else if split.byRows && split.parts > 1, let packer = rhs as? any RHSPacker {
                        // Every thread reads all of B: pack it once, together, and share it.
                        let whole = packWhole(packer, depth: depth, columnPanels: columnPanels, threads: split.parts)
                        defer { whole.deallocate() }
                        let shared = PrepackedRHS(panels: whole, depth: depth)
                        split.forEachPart { job.run(shared, rowPanels: $0, columnPanels: $1) }
                    } else {
                        split.forEachPart { job.run(rhs, rowPanels: $0, columnPanels: $1) }
                    }
                }
            }
        }
    }

    /// All of B in the layout of a `PackedRHS` (panel after panel, each all of K), packed by `threads`.
    private static func packWhole<P: RHSPacker>(_ packer: P, depth: Int, columnPanels: Int, threads: Int)
        -> UnsafeMutablePointer<Float> {
        let panelFloats = depth * MicroTile.columns
        let whole = UnsafeMutableRawPointer.allocate(byteCount: columnPanels * panelFloats * MemoryLayout<Float>.stride,
                                                     alignment: 64).assumingMemoryBound(to: Float.self)
        let parts = min(threads, columnPanels)
        parallelFor(parts, threads: parts) { t in
            let (p0, p1) = (columnPanels * t / parts, columnPanels * (t + 1) / parts)
            guard p0 < p1 else { return }
            packer.pack(depth: 0..<depth, columns: p0 * MicroTile.columns..<p1 * MicroTile.columns,
                        into: whole + p0 * panelFloats)
        }
        return whole
    }
}

/// How the tiles of C are divided among threads: contiguous ranges of row panels or of column panels.
///
/// Rows when that balances at least as well and B is narrow (a few column panels: the threads then share
/// one packed B and each reads only its part of A, the weights); columns otherwise, so each thread packs
/// and streams only its own part of a wide B.
struct WorkSplit {
    let rowPanels: Int
    let columnPanels: Int
    let threads: Int
    let byRows: Bool

    init(rowPanels: Int, columns: Int, threads: Int) {
        self.rowPanels = rowPanels
        self.columnPanels = (columns + MicroTile.columns - 1) / MicroTile.columns
        self.threads = threads
        // A last panel of at most 8 columns runs the half-width kernel: half the cost of a full one.
        let lastWeight = (1...MicroTile.halfColumns).contains(columns % MicroTile.columns) ? 1 : 2
        let rowBalance = Self.balance(Array(repeating: 1, count: rowPanels), threads)
        let columnBalance = Self.balance(Array(repeating: 2, count: columnPanels - 1) + [lastWeight], threads)
        byRows = rowBalance > columnBalance || (rowBalance == columnBalance && columnPanels < 8 * threads)
    }

    var parts: Int { max(1, min(threads, byRows ? rowPanels : columnPanels)) }

    /// Runs `body` once per part, in parallel when there is more than one.
    func forEachPart(_ body: (Range<Int>, Range<Int>) -> Void) {
        let (byRows, parts) = (byRows, parts)
        let total = byRows ? rowPanels : columnPanels
        func part(_ t: Int) -> Range<Int> { (total * t / parts)..<(total * (t + 1) / parts) }
        let work = { (t: Int) in
            if byRows { body(part(t), 0..<columnPanels) } else { body(0..<rowPanels, part(t)) }
        }
        parallelFor(parts, threads: parts, work)
    }

    /// The fraction of thread time spent working when panels of these costs are dealt out in contiguous
    /// ranges as `forEachPart` deals them.
    private static func balance(_ costs: [Int], _ threads: Int) -> Double {
        let parts = max(1, min(threads, costs.count))
        var largest = 0
        for t in 0..<parts {
            largest = max(largest, costs[(costs.count * t / parts)..<(costs.count * (t + 1) / parts)].reduce(0, +))
        }
        return Double(costs.reduce(0, +)) / Double(max(1, largest) * threads)
    }
}

/// One GEMM's operands as raw pointers, shared read-only by the threads.
private struct GEMMJob {
    let a: UnsafePointer<Float>
    let rows: Int, depth: Int, columns: Int
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    let rowBias: UnsafePointer<Float>, columnBias: UnsafePointer<Float>
    let accumulate: Bool
    let addend: UnsafePointer<Float>?
    let activation: FusedActivation?
    /// Read on the calling task: worker threads do not see its task-local values.
    let isa: KernelISA

    /// `run` on the AVX-512 tile with B read in place (`B[k][j] = b[k * rowStep + j]`), 6 × 64 tiles.
    func runInPlace(_ b: UnsafePointer<Float>, rowStep: Int, rowPanels: Range<Int>, columnPanels: Range<Int>) {
        let tile = MicroTile.self
        let rowPanelCount = (rows + tile.rows - 1) / tile.rows
        let columnStart = columnPanels.lowerBound * tile.columns
        let columnEnd = min(columns, columnPanels.upperBound * tile.columns)
        for n0 in stride(from: columnStart, to: columnEnd, by: PackedGEMM.columnBlock) {
            let n1 = min(n0 + PackedGEMM.columnBlock, columnEnd)
            for k0 in stride(from: 0, to: depth, by: PackedGEMM.depthBlock) {
                let kc = min(PackedGEMM.depthBlock, depth - k0)
                let first = k0 == 0, clamp = k0 + kc == depth ? activation : nil
                for p in rowPanels {
                    let i0 = p * tile.rows
                    let aPanel = a + PackedLHS.offset(panel: p, depth: k0, panelCount: rowPanelCount, totalDepth: depth)
                    var epilogue = OctetTileEpilogue(
                        row_bias: rowBias + i0, column_bias: columnBias, addend: nil,
                        accumulate: accumulate || !first ? 1 : 0,
                        clamp: clamp == nil ? 0 : 1, lower: clamp?.lower ?? 0, upper: clamp?.upper ?? 0)
                    for j0 in stride(from: n0, to: n1, by: 4 * tile.columns) {
                        epilogue.column_bias = columnBias + j0
                        epilogue.addend = first ? addend.map { $0 + i0 * ldc + j0 } : nil
                        octet_sgemm_tile_6x64_avx512(kc, aPanel, b + k0 * rowStep + j0, rowStep, tile.columns,
                                                     c + i0 * ldc + j0, ldc, min(tile.rows, rows - i0),
                                                     min(4 * tile.columns, n1 - j0), &epilogue)
                    }
                }
            }
        }
    }

    /// Computes the C tiles of the given panel ranges, K block by K block.
    func run<RHS: RHSBlockSource>(_ rhs: RHS, rowPanels: Range<Int>, columnPanels: Range<Int>) {
        let tile = MicroTile.self
        let scratch = UnsafeMutableRawPointer.allocate(
            byteCount: PackedGEMM.depthBlock * PackedGEMM.columnBlock * MemoryLayout<Float>.stride, alignment: 64)
        defer { scratch.deallocate() }
        let portable = isa == .portable ? PortableTiles() : nil
        defer { portable?.deallocate() }
        let scratchFloats = scratch.assumingMemoryBound(to: Float.self)
        let rowPanelCount = (rows + tile.rows - 1) / tile.rows
        let columnStart = columnPanels.lowerBound * tile.columns
        let columnEnd = min(columns, columnPanels.upperBound * tile.columns)
        for n0 in stride(from: columnStart, to: columnEnd, by: PackedGEMM.columnBlock) {
            let n1 = min(n0 + PackedGEMM.columnBlock, columnEnd)
            let panelCount = (n1 - n0 + tile.columns - 1) / tile.columns
            for k0 in stride(from: 0, to: depth, by: PackedGEMM.depthBlock) {
                let kc = min(PackedGEMM.depthBlock, depth - k0)
                let (b, panelStride) = rhs.block(depth: k0..<k0 + kc, columns: n0..<n0 + panelCount * tile.columns,
                                                 scratch: scratchFloats)
                let first = k0 == 0, last = k0 + kc == depth
                let clamp = last ? activation : nil
                for p in rowPanels {
                    let i0 = p * tile.rows
                    let validRows = min(tile.rows, rows - i0)
                    let aPanel = a + PackedLHS.offset(panel: p, depth: k0, panelCount: rowPanelCount, totalDepth: depth)
                    var epilogue = OctetTileEpilogue(
                        row_bias: rowBias + i0, column_bias: columnBias, addend: nil,
                        accumulate: accumulate || !first ? 1 : 0,
                        clamp: clamp == nil ? 0 : 1, lower: clamp?.lower ?? 0, upper: clamp?.upper ?? 0)
                    portable?.splat(aPanel, depth: kc)
                    if isa == .avx512 {
                        // Four panels per call: the 6 × 64 tile.
                        for q in stride(from: 0, to: panelCount, by: 4) {
                            let j0 = n0 + q * tile.columns
                            epilogue.column_bias = columnBias + j0
                            epilogue.addend = first ? addend.map { $0 + i0 * ldc + j0 } : nil
                            octet_sgemm_tile_6x64_avx512(kc, aPanel, b + q * panelStride, tile.columns, panelStride,
                                                         c + i0 * ldc + j0, ldc, validRows,
                                                         min(4 * tile.columns, n1 - j0), &epilogue)
                        }
                        continue
                    }
                    for q in 0..<panelCount {
                        let j0 = n0 + q * tile.columns
                        let validColumns = min(tile.columns, columns - j0)
                        epilogue.column_bias = columnBias + j0
                        // The addend joins the biases on the first K block; later blocks start from C.
                        epilogue.addend = first ? addend.map { $0 + i0 * ldc + j0 } : nil
                        let out = c + i0 * ldc + j0
                        if let portable {
                            portable.multiply(depth: kc, b: b + q * panelStride, c: out, ldc: ldc, rows: validRows,
                                              columns: validColumns, epilogue: epilogue)
                        } else {
                            octet_sgemm_tile_6x16_avx2(kc, aPanel, b + q * panelStride, out, ldc, validRows,
                                                       validColumns, &epilogue)
                        }
                    }
                }
            }
        }
    }
}

/// The portable path's per-thread buffers: one splatted A panel block, and full tiles of C and of the
/// addend for edges.
private struct PortableTiles {
    let splat = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: PackedGEMM.depthBlock * MicroTile.rows)
    let edge = UnsafeMutablePointer<Float>.allocate(capacity: MicroTile.rows * MicroTile.columns)
    let addendEdge = UnsafeMutablePointer<Float>.allocate(capacity: MicroTile.rows * MicroTile.columns)

    func deallocate() {
        splat.deallocate()
        edge.deallocate()
        addendEdge.deallocate()
    }

    /// Splats `depth × 6` packed values of an A panel into four-lane vectors.
    func splat(_ source: UnsafePointer<Float>, depth: Int) {
        for i in 0..<depth * MicroTile.rows { splat[i] = SIMD4(repeating: source[i]) }
    }

    /// One 6 × 16 tile from the splatted A panel and a 16-column B panel, as two half tiles; an edge tile
    /// goes through a full-size buffer and only its valid part of C is read and written.
    func multiply(depth: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int,
                  columns: Int, epilogue e: OctetTileEpilogue) {
        let tile = MicroTile.self
        let full = rows == tile.rows && columns == tile.columns
        let (target, targetStride) = full ? (c, ldc) : (edge, tile.columns)
        if !full && e.accumulate != 0 {
            for r in 0..<rows { for j in 0..<columns { edge[r * tile.columns + j] = c[r * ldc + j] } }
        }
        var addend = e.addend
        if !full, let source = e.addend {
            addendEdge.update(repeating: 0, count: tile.rows * tile.columns)
            for r in 0..<rows { for j in 0..<columns { addendEdge[r * tile.columns + j] = source[r * ldc + j] } }
            addend = UnsafePointer(addendEdge)
        }
        let vectors = UnsafeRawPointer(b).assumingMemoryBound(to: SIMD4<Float>.self)
        let clamp = e.clamp != 0 ? FusedActivation(lower: e.lower, upper: e.upper) : nil
        for half in 0..<(columns > tile.halfColumns ? 2 : 1) {
            let offset = half * tile.halfColumns
            let epilogue = TileEpilogue(accumulate: e.accumulate != 0, rowBias: e.row_bias,
                                        columnBias: e.column_bias + offset, addend: addend.map { $0 + offset },
                                        clamp: clamp)
            tile.multiplyHalf(depth: depth, a: splat, b: vectors + offset / 4, bStride: tile.columns / 4,
                              c: target + offset, ldc: targetStride, epilogue: epilogue)
        }
        if !full {
            for r in 0..<rows { for j in 0..<columns { c[r * ldc + j] = edge[r * tile.columns + j] } }
        }
    }
}
