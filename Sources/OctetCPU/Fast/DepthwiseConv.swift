/// Depthwise weights (one `kh × kw` filter per channel), each tap splatted for the vector loop.
struct DepthwiseWeights: Sendable {
    let taps: Int
    let splatted: [SIMD4<Float>]

    init(weights: [Float], channels: Int, taps: Int) {
        self.taps = taps
        splatted = weights.prefix(channels * taps).map { SIMD4(repeating: $0) }
    }
}

/// Direct depthwise convolution, vectorized along the output width, any kernel size, stride, dilation, pads.
///
/// Each channel is first copied into a zero-padded plane split by column phase (column `x` goes to phase
/// `x mod strideX` at `x / strideX`), so every tap of every output row is a contiguous vector load:
/// output column `ox`, tap `kx` reads phase `(kx·dx) mod sx` at `ox + (kx·dx) / sx`.
enum DepthwiseConv {
    /// Output columns computed per step (two SSE vectors).
    static let vector = 8

    static func run(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: DepthwiseWeights,
                    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                    activation: FusedActivation?, threads: Int) {
        let layout = PhaseLayout(g)
        let planes = g.batch * g.inChannels
        let parts = max(1, min(threads, planes))
        Parallel.forEach(parts) { t in
            let scratch = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: layout.floats / 4 + 1)
            defer { scratch.deallocate() }
            let buffer = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: Float.self)
            weights.splatted.withUnsafeBufferPointer { w in
                for plane in (planes * t / parts)..<(planes * (t + 1) / parts) {
                    let channel = plane % g.inChannels
                    layout.fill(buffer, from: input + plane * g.inPlane)
                    convolve(g, layout, buffer, w.baseAddress! + channel * weights.taps, bias?[channel] ?? 0,
                             output + plane * g.outPlane, activation)
                }
            }
        }
    }

    /// One output plane from a phase-split padded input plane.
    private static func convolve(_ g: ConvGeometry, _ layout: PhaseLayout, _ padded: UnsafeMutablePointer<Float>,
                                 _ w: UnsafePointer<SIMD4<Float>>, _ bias: Float,
                                 _ out: UnsafeMutablePointer<Float>, _ activation: FusedActivation?) {
        let lo = SIMD4<Float>(repeating: activation?.lower ?? -.infinity)
        let hi = SIMD4<Float>(repeating: activation?.upper ?? .infinity)
        var tail = (SIMD4<Float>(), SIMD4<Float>())
        // Offsets of every tap relative to the output column, for output row 0.
        let tapOffsets = (0..<g.kernelHeight * g.kernelWidth).map { t in
            let (ky, kx) = (t / g.kernelWidth, t % g.kernelWidth)
            let column = kx * g.dilationX
            return ky * g.dilationY * layout.rowStride + (column % g.strideX) * layout.phaseStride + column / g.strideX
        }
        tapOffsets.withUnsafeBufferPointer { offsets in
            for oy in 0..<g.outHeight {
                let rowBase = padded + oy * g.strideY * layout.rowStride
                let outRow = out + oy * g.outWidth
                for ox in stride(from: 0, to: g.outWidth, by: vector) {
                    var a0 = SIMD4<Float>(repeating: bias), a1 = a0
                    for t in 0..<offsets.count {
                        let raw = UnsafeRawPointer(rowBase + offsets[t] + ox)
                        a0 += w[t] * raw.loadUnaligned(as: SIMD4<Float>.self)
                        a1 += w[t] * raw.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
                    }
                    if activation != nil {
                        a0 = a0.clamped(lo, hi)
                        a1 = a1.clamped(lo, hi)
                    }
                    if ox + vector <= g.outWidth {
                        let raw = UnsafeMutableRawPointer(outRow + ox)
                        raw.storeBytes(of: a0, as: SIMD4<Float>.self)
                        raw.storeBytes(of: a1, toByteOffset: 16, as: SIMD4<Float>.self)
                    } else {
                        tail = (a0, a1)
                        withUnsafeBytes(of: &tail) { bytes in
                            let values = bytes.assumingMemoryBound(to: Float.self)
                            for i in 0..<(g.outWidth - ox) { outRow[ox + i] = values[i] }
                        }
                    }
                }
            }
        }
    }
}

/// Where each padded input value lives in the phase-split scratch plane.
private struct PhaseLayout {
    /// Padded rows actually read: (outHeight − 1)·sy + (kh − 1)·dy + 1.
    let rows: Int
    /// Values per phase row: the widest read, rounded up to whole vectors.
    let phaseStride: Int
    /// Values per padded row (all phases).
    let rowStride: Int
    let floats: Int
    let g: ConvGeometry

    init(_ g: ConvGeometry) {
        self.g = g
        rows = (g.outHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1
        let widestRead = (g.kernelWidth - 1) * g.dilationX / g.strideX
            + (g.outWidth + DepthwiseConv.vector - 1) / DepthwiseConv.vector * DepthwiseConv.vector
        phaseStride = widestRead
        rowStride = phaseStride * g.strideX
        floats = rows * rowStride
    }

    /// Copies one input plane into the scratch plane with zero padding, split by column phase.
    func fill(_ buffer: UnsafeMutablePointer<Float>, from plane: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = buffer + r * rowStride
            let iy = r - g.padTop
            guard iy >= 0 && iy < g.height else {
                row.update(repeating: 0, count: rowStride)
                continue
            }
            let source = plane + iy * g.width
            for phase in 0..<g.strideX {
                let target = row + phase * phaseStride
                // Phase index i holds input column i·sx + phase − left; [begin, end) of them lie inside the row.
                let offset = phase - g.padLeft
                let begin = min(phaseStride, max(0, (-offset + g.strideX - 1) / g.strideX))
                let end = max(begin, min(phaseStride, (g.width - offset + g.strideX - 1) / g.strideX))
                target.update(repeating: 0, count: begin)
                copyStrided(source + begin * g.strideX + offset, stride: g.strideX, count: end - begin,
                            to: target + begin)
                (target + end).update(repeating: 0, count: phaseStride - end)
            }
        }
    }

    /// `count` values `src[0], src[stride], …`: a plain copy for stride 1, vector deinterleaving for 2.
    private func copyStrided(_ src: UnsafePointer<Float>, stride: Int, count: Int, to target: UnsafeMutablePointer<Float>) {
        if stride == 1 {
            target.update(from: src, count: count)
            return
        }
        var i = 0
        if stride == 2 {
            // Values 0...3 and 3...6 of each step: never a value past the last one needed.
            while i + 4 <= count {
                let raw = UnsafeRawPointer(src + 2 * i)
                let a = raw.loadUnaligned(as: SIMD4<Float>.self)
                let b = raw.loadUnaligned(fromByteOffset: 12, as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(target + i).storeBytes(of: SIMD4(a[0], a[2], b[1], b[3]), as: SIMD4<Float>.self)
                i += 4
            }
        }
        while i < count {
            target[i] = src[i * stride]
            i += 1
        }
    }
}
