import Foundation
import OctetCPUKernels

/// An ungrouped convolution with a small output plane (7x7: at most 64 pixels) on AVX-512, with pixels as
/// the GEMM's rows and output channels as its columns.
///
/// The usual layout puts pixels in the vector lanes: 49 pixels fill 49 of a 64-column tile, and the rest of
/// the work is spent on padding. Here 16 output channels fill each vector (channel counts are multiples
/// of 16 in practice), six pixels are broadcast from the input, K is not blocked (blocks of 1024 measured
/// 1-4% slower even at K 4608, whose 64 weight columns overflow L2), and each tile is
/// scattered into the NCHW output once. A 1x1 stride-1 convolution reads its input plane where it lies;
/// any other first gathers its taps into rows of `pixels` values (`gather`), which for ResNet-50's last
/// 3x3 layers (K 4608, 49 pixels) is 0.9 MB against 231 MFLOP.
/// The weights are packed for it on first use: only models that have such layers pay their memory.
final class SmallPlaneConv: @unchecked Sendable {
    /// Planes of at most this many pixels take this path.
    static let maxPixels = 64
    /// At most this many gathered tap values (16 MB); ResNet-50's largest takes 225,792.
    static let maxGatheredValues = 1 << 22

    /// The convolution's weights as given, [M][K] row-major with K = (channel, ky, kx) (shared with the
    /// model's tensor, not copied).
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

    /// One image's convolution: gathers the taps unless `g` is 1x1 stride 1, then `run(input:...)`.
    func run(_ g: ConvGeometry, source: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
             output: UnsafeMutablePointer<Float>, activation: FusedActivation?, threads: Int) {
        if g.isPointwise {
            run(input: source, pixels: g.outPlane, residual: residual, output: output, activation: activation,
                threads: threads)
            return
        }
        let taps = UnsafeMutablePointer<Float>.allocate(capacity: depth * g.outPlane)
        defer { taps.deallocate() }
        Self.gather(g, source: source, into: taps, threads: threads)
        run(input: taps, pixels: g.outPlane, residual: residual, output: output, activation: activation,
            threads: threads)
    }

    /// x[K][outPlane] for one image and group-free `g`: row (c, ky, kx) holds what each output pixel's tap
    /// (ky, kx) reads from channel c, 0 where that falls in the padding.
    static func gather(_ g: ConvGeometry, source: UnsafePointer<Float>, into taps: UnsafeMutablePointer<Float>,
                       threads: Int) {
        let (kh, kw, pixels) = (g.kernelHeight, g.kernelWidth, g.outPlane)
        let rows = g.inChannels * kh * kw
        // Below this a second thread costs more than it saves.
        let parts = rows * pixels < 1 << 16 ? 1 : max(1, min(threads, rows))
        parallelFor(parts, threads: parts) { t in
            for row in (rows * t / parts)..<(rows * (t + 1) / parts) {
                let (c, ky, kx) = (row / (kh * kw), row / kw % kh, row % kw)
                let plane = source + c * g.inPlane
                var out = taps + row * pixels
                for oy in 0..<g.outHeight {
                    let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                    guard iy >= 0 && iy < g.height else {
                        out.update(repeating: 0, count: g.outWidth)
                        out += g.outWidth
                        continue
                    }
                    // Outputs lo..<hi read inside the row; the ones before and after read the padding.
                    let x0 = kx * g.dilationX - g.padLeft, sx = g.strideX
                    let lo = min(g.outWidth, x0 >= 0 ? 0 : (-x0 + sx - 1) / sx)
                    let hi = max(lo, min(g.outWidth, g.width - 1 - x0 < 0 ? 0 : (g.width - 1 - x0) / sx + 1))
                    let line = plane + iy * g.width + x0
                    out.update(repeating: 0, count: lo)
                    if sx == 1 {
                        (out + lo).update(from: line + lo, count: hi - lo)
                    } else {
                        for ox in lo..<hi { out[ox] = line[ox * sx] }
                    }
                    (out + hi).update(repeating: 0, count: g.outWidth - hi)
                    out += g.outWidth
                }
            }
        }
    }

    /// out[M][pixels] = W · x[K][pixels] + bias (+ residual), clamped; pixels ≤ `maxPixels`.
    func run(input x: UnsafePointer<Float>, pixels n: Int, residual: UnsafePointer<Float>?,
             output: UnsafeMutablePointer<Float>, activation: FusedActivation?, threads: Int) {
        let (rhs, bias) = operands()
        let (m, k) = (rows, depth)
        let pixelPanels = (n + 5) / 6, channelGroups = (m + 63) / 64
        let items = pixelPanels * channelGroups
        // The last pixel panel may hold fewer than six pixels: the tile reads only the rows it is given, so
        // it reads the plane where it lies, never the next channel's row.
        let zeros = [Float](repeating: 0, count: 6)
        let parts = max(1, min(threads, items))
        rhs.panels.withUnsafeBufferPointer { panels in
            let b = UnsafeRawPointer(panels.baseAddress!).assumingMemoryBound(to: Float.self)
            bias.withUnsafeBufferPointer { bias in
                zeros.withUnsafeBufferPointer { zeros in
                    parallelFor(parts, threads: parts) { t in
                        for item in (items * t / parts)..<(items * (t + 1) / parts) {
                            let (group, p) = (item / pixelPanels, item % pixelPanels)
                            let (j0, i0) = (group * 64, p * 6)
                            var epilogue = OctetTileEpilogue(
                                row_bias: zeros.baseAddress!, column_bias: bias.baseAddress! + j0,
                                addend: residual.map { $0 + j0 * n + i0 }, accumulate: 0,
                                clamp: activation == nil ? 0 : 1, lower: activation?.lower ?? 0,
                                upper: activation?.upper ?? 0)
                            octet_sgemm_tile_6x64t_avx512(
                                k, x + i0, n, b + (j0 / 16) * k * 16, k * 16, output + j0 * n + i0, n,
                                min(6, n - i0), min(64, m - j0), &epilogue)
                        }
                    }
                }
            }
        }
    }
}
