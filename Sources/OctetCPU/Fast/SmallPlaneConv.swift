import Foundation
import OctetCPUKernels

/// A 1x1 convolution of a small plane (7x7: at most 64 pixels) on AVX-512, with pixels as the GEMM's rows
/// and output channels as its columns.
///
/// The usual layout puts pixels in the vector lanes: 49 pixels fill 49 of a 64-column tile, and the rest of
/// the work is spent on padding. Here 16 output channels fill each vector (channel counts are multiples
/// of 16 in practice), six pixels are broadcast from the input plane where it lies, K is not blocked (the
/// whole weight column block stays in L2), and each tile is scattered into the NCHW output once.
/// The weights are packed for it on first use: only models that have such layers pay their memory.
final class SmallPlanePointwise: @unchecked Sendable {
    /// Planes of at most this many pixels take this path.
    static let maxPixels = 64

    /// The convolution's weights as given, [M][K] row-major (shared with the model's tensor, not copied).
    let weights: [Float]
    let rows: Int, depth: Int
    let bias: [Float]?

    private let lock = NSLock()
    private var packed: PackedRHS?
    private var paddedBias: [Float] = []

    init(weights: [Float], rows: Int, depth: Int, bias: [Float]?) {
        (self.weights, self.rows, self.depth, self.bias) = (weights, rows, depth, bias)
    }

    /// W[M][K] as B[K][M] in 16-column panels, and the bias padded to whole panels.
    private func operands() -> (PackedRHS, [Float]) {
        lock.lock()
        defer { lock.unlock() }
        if let packed { return (packed, paddedBias) }
        let (m, k) = (rows, depth)
        let rhs = weights.withUnsafeBufferPointer { w in
            PackedRHS(depth: k, columns: m, values: w.baseAddress!, depthStride: 1, columnStride: k)
        }
        var b = [Float](repeating: 0, count: (m + 15) / 16 * 16)
        if let bias { for i in 0..<m { b[i] = bias[i] } }
        (packed, paddedBias) = (rhs, b)
        return (rhs, b)
    }

    /// out[M][pixels] = W · x[K][pixels] + bias (+ residual), clamped; pixels ≤ `maxPixels`.
    func run(input x: UnsafePointer<Float>, pixels n: Int, residual: UnsafePointer<Float>?,
             output: UnsafeMutablePointer<Float>, activation: FusedActivation?, threads: Int) {
        let (rhs, bias) = operands()
        let (m, k) = (rows, depth)
        let pixelPanels = (n + 5) / 6, channelGroups = (m + 63) / 64
        let items = pixelPanels * channelGroups
        // The last pixel panel's rows past the plane would be read from the next channel's row: a padded copy.
        let tail = n % 6
        var lastPanel = [Float](repeating: 0, count: tail == 0 ? 0 : k * 6)
        if tail != 0 {
            for kk in 0..<k { for r in 0..<tail { lastPanel[kk * 6 + r] = x[kk * n + (pixelPanels - 1) * 6 + r] } }
        }
        let zeros = [Float](repeating: 0, count: 6)
        let parts = max(1, min(threads, items))
        rhs.panels.withUnsafeBufferPointer { panels in
            let b = UnsafeRawPointer(panels.baseAddress!).assumingMemoryBound(to: Float.self)
            bias.withUnsafeBufferPointer { bias in
                zeros.withUnsafeBufferPointer { zeros in
                    lastPanel.withUnsafeBufferPointer { last in
                        parallelFor(parts, threads: parts) { t in
                            for item in (items * t / parts)..<(items * (t + 1) / parts) {
                                let (group, p) = (item / pixelPanels, item % pixelPanels)
                                let (j0, i0) = (group * 64, p * 6)
                                var epilogue = OctetTileEpilogue(
                                    row_bias: zeros.baseAddress!, column_bias: bias.baseAddress! + j0,
                                    addend: residual.map { $0 + j0 * n + i0 }, accumulate: 0,
                                    clamp: activation == nil ? 0 : 1, lower: activation?.lower ?? 0,
                                    upper: activation?.upper ?? 0)
                                let partial = tail != 0 && p == pixelPanels - 1
                                octet_sgemm_tile_6x64t_avx512(
                                    k, partial ? last.baseAddress! : x + i0, partial ? 6 : n, b + (j0 / 16) * k * 16,
                                    k * 16, output + j0 * n + i0, n, min(6, n - i0), min(64, m - j0), &epilogue)
                            }
                        }
                    }
                }
            }
        }
    }
}
