import OctetCPUKernels
import OctetIR

/// Signed 8-bit weights (a GEMM's left operand, `rows x depth`) packed once for every integer GEMM path.
///
/// Blocks of 8 rows, each `depth4` groups of [8 rows][4 depth] int8 (AVX-512 VNNI and portable), and the
/// same values as int16 pairs (k0, k2), (k1, k3) per row for AVX2's vpmaddwd; rows and depth past the matrix
/// are zero. `rowSums` (Σ_k w[r][k]) fold the activation zero point into the bias:
/// Σ (x - zx)·w = Σ x·w - zx·Σ w.
struct PackedInt8Weights: Sendable {
    let rows: Int
    let depth: Int
    let depth4: Int
    let packed: [Int8]
    let pairs: [Int32]
    let rowSums: [Int32]

    var blocks: Int { (rows + 7) / 8 }

    /// `value(r, k)` must be in -128...127.
    init(rows: Int, depth: Int, value: (Int, Int) -> Int32) {
        self.rows = rows
        self.depth = depth
        depth4 = (depth + 3) / 4
        let blocks = (rows + 7) / 8
        var packed = [Int8](repeating: 0, count: blocks * depth4 * 32)
        var pairs = [Int32](repeating: 0, count: blocks * depth4 * 16)
        var sums = [Int32](repeating: 0, count: rows)
        for r in 0..<rows {
            let (block, lane) = (r / 8, r % 8)
            for k4 in 0..<depth4 {
                var w: [Int32] = [0, 0, 0, 0]
                for q in 0..<4 where k4 * 4 + q < depth { w[q] = value(r, k4 * 4 + q) }
                let base = (block * depth4 + k4) * 8 + lane
                for q in 0..<4 { packed[base * 4 + q] = Int8(w[q]) }
                pairs[base * 2] = Int32(bitPattern: UInt32(UInt16(bitPattern: Int16(w[0]))) | UInt32(UInt16(bitPattern: Int16(w[2]))) << 16)
                pairs[base * 2 + 1] = Int32(bitPattern: UInt32(UInt16(bitPattern: Int16(w[1]))) | UInt32(UInt16(bitPattern: Int16(w[3]))) << 16)
                sums[r] &+= w[0] &+ w[1] &+ w[2] &+ w[3]
            }
        }
        self.packed = packed
        self.pairs = pairs
        rowSums = sums
    }
}

/// Dispatch of one integer GEMM (`OctetI8GEMM`) to the kernel of an instruction set.
enum IntegerGEMM {
    static func run(_ isa: IntegerKernelISA, _ g: UnsafePointer<OctetI8GEMM>, blocks: Range<Int>, groups: Range<Int>) {
        guard !blocks.isEmpty, !groups.isEmpty else { return }
        switch isa {
        case .portable: octet_i8gemm_portable(g, blocks.lowerBound, blocks.upperBound, groups.lowerBound, groups.upperBound)
        case .avx2: octet_i8gemm_avx2(g, blocks.lowerBound, blocks.upperBound, groups.lowerBound, groups.upperBound)
        case .avx512vnni:
            octet_i8gemm_avx512vnni(g, blocks.lowerBound, blocks.upperBound, groups.lowerBound, groups.upperBound)
        }
    }

    /// Packs B's 16-column groups with `pack(range)` and multiplies, split over `threads`: by columns (each
    /// worker packs its own columns, which then stay in its cache) when there are enough, else by rows after
    /// packing everything once, itself split by columns.
    static func multiply(_ isa: IntegerKernelISA, _ g: OctetI8GEMM, blockCount: Int, threads: Int,
                         pack: (Range<Int>) -> Void) {
        let groups = (g.columns + 15) / 16
        // Work items of 3 groups: the AVX-512 tile width.
        let tiles = (groups + 2) / 3
        var gemm = g
        withUnsafePointer(to: &gemm) { p in
            if threads <= 1 || tiles >= 2 * threads || blockCount < 2 {
                let parts = max(1, min(threads, tiles))
                parallelFor(parts, threads: parts) { t in
                    let range = min(groups, tiles * t / parts * 3)..<min(groups, tiles * (t + 1) / parts * 3)
                    pack(range)
                    run(isa, p, blocks: 0..<blockCount, groups: range)
                }
            } else {
                // Deep, narrow products (late 1x1 convs: 49 columns, depth 960) spend as long packing as
                // multiplying, so the packing is split too.
                let packers = min(threads, groups)
                parallelFor(packers, threads: packers) { t in pack((groups * t / packers)..<(groups * (t + 1) / packers)) }
                let parts = min(threads, blockCount)
                parallelFor(parts, threads: parts) { t in
                    run(isa, p, blocks: (blockCount * t / parts)..<(blockCount * (t + 1) / parts), groups: 0..<groups)
                }
            }
        }
    }
}

extension Tensor {
    /// The bytes of an i8 or u8 tensor.
    func withInt8Bytes<R>(_ body: (UnsafePointer<UInt8>) -> R) -> R? {
        switch storage {
        case .i8(let v): v.withUnsafeBytes { body($0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        case .u8(let v): v.withUnsafeBufferPointer { body($0.baseAddress!) }
        default: nil
        }
    }

    /// The values of an i8 or u8 tensor widened to Int32.
    var int8Values: [Int32]? {
        switch storage {
        case .i8(let v): v.map(Int32.init)
        case .u8(let v): v.map(Int32.init)
        default: nil
        }
    }
}
