import OctetCPUKernels

/// Depthwise weights (one `kh × kw` filter per channel): as given for the row kernels, each tap splatted
/// for the portable vector loop, and by 16 channels a tap for the channel-lane kernel.
struct DepthwiseWeights: Sendable {
    let taps: Int
    let values: [Float]
    let splatted: [SIMD4<Float>]
    /// Channel group g (channels 16g..<16g+16), tap t, lane c at (g·taps + t)·16 + c; zero past the channels.
    let lanes: [Float]

    init(weights: [Float], channels: Int, taps: Int) {
        self.taps = taps
        values = Array(weights.prefix(channels * taps))
        splatted = values.map { SIMD4(repeating: $0) }
        let groups = (channels + 15) / 16
        var lanes = [Float](repeating: 0, count: groups * taps * 16)
        for channel in 0..<channels {
            for t in 0..<taps { lanes[((channel / 16) * taps + t) * 16 + channel % 16] = values[channel * taps + t] }
        }
        self.lanes = lanes
    }
}

/// Direct depthwise convolution, vectorized along the output width, any kernel size, stride, dilation, pads.
///
/// Each channel is first copied into a zero-padded plane split by column phase (column `x` goes to phase
/// `x mod strideX` at `x / strideX`), so every tap of every output row is a contiguous vector load:
/// output column `ox`, tap `kx` reads phase `(kx·dx) mod sx` at `ox + (kx·dx) / sx`.
public enum DepthwiseConv {
    /// Output columns computed per step (two SSE vectors, one AVX2 vector).
    static let vector = 8
    /// Output columns the widest kernel computes per step (one AVX-512 vector): every padded row is
    /// readable this far past the last output column.
    static let widestVector = 16

    /// Output rows at most this wide go to the channel-lane kernel on AVX-512: a row kernel would leave
    /// most of each 16-lane vector idle. It transposes 16 padded planes whole into a scratch, so only small
    /// ones go there.
    static let laneKernelWidth = 8
    static let laneKernelMaxPlane = 1 << 12
    /// Filters of at least this many taps go to the channel-lane kernel up to `wideLaneKernelWidth`: their
    /// arithmetic outweighs the transposes. A 5 × 5 layer of 240 channels at 28 × 28 took 0.18 ms there
    /// against 0.22 ms in the row kernel read in place, 672 channels at 14 × 14 0.15-0.17 against 0.18.
    static let wideLaneKernelTaps = 25
    static let wideLaneKernelWidth = 32
    /// Stride-1 rows at least this wide are read in place: 3 × 3 over 32 channels at 112 × 112 took 0.126 ms
    /// against 0.151 with the phase-split copy, 144 at 56 × 56 0.163 against 0.181; at 28 and 14 the copy
    /// was as fast or faster.
    static let directStride1Width = 32

    /// Which kernel runs a depthwise convolution.
    public enum Path: Equatable, Sendable {
        /// AVX-512, small output rows: 16 channels at a time, one per vector lane.
        case lanes
        /// AVX-512, column stride 2, or stride 1 on wide rows: straight from the input plane, masked loads
        /// for the padding, four output rows at a time sharing their input rows.
        case direct
        /// Every other case: each plane copied into a zero-padded, phase-split scratch first.
        case phaseSplit
    }

    static func path(_ g: ConvGeometry, isa: KernelISA) -> Path {
        guard isa == .avx512 else { return .phaseSplit }
        let padded = lanePlane(g), taps = g.kernelHeight * g.kernelWidth
        let laneWidth = taps >= wideLaneKernelTaps ? wideLaneKernelWidth : laneKernelWidth
        if g.outWidth <= laneWidth && padded.rows * padded.columns <= laneKernelMaxPlane && taps <= 64 {
            return .lanes
        }
        let readInPlace = g.strideX == 2 || (g.strideX == 1 && g.outWidth >= directStride1Width)
        if readInPlace && g.kernelHeight <= 16 && taps <= 64 { return .direct }
        return .phaseSplit
    }

    static func run(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: DepthwiseWeights,
                    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                    activation: FusedActivation?, threads: Int) {
        switch path(g, isa: KernelISA.current) {
        case .lanes:
            runLanes(g, input: input, weights: weights, bias: bias, output: output, activation: activation,
                     threads: threads)
            return
        case .direct:
            runDirect(g, input: input, weights: weights, bias: bias, output: output, activation: activation,
                      threads: threads)
            return
        case .phaseSplit: break
        }
        let layout = PhaseLayout(g)
        let planes = g.batch * g.inChannels
        let parts = max(1, min(threads, planes))
        // Offsets of every tap relative to the output column, for output row 0.
        let tapOffsets = (0..<g.kernelHeight * g.kernelWidth).map { t in
            let (ky, kx) = (t / g.kernelWidth, t % g.kernelWidth)
            let column = kx * g.dilationX
            return ky * g.dilationY * layout.rowStride + (column % g.strideX) * layout.phaseStride + column / g.strideX
        }
        let isa = KernelISA.current
        parallelFor(parts, threads: parts) { t in
            // Zeroed once: the padding sits at the same places in every plane, only the inside is rewritten.
            let scratch = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: layout.floats / 4 + 1)
            scratch.initialize(repeating: SIMD4(), count: layout.floats / 4 + 1)
            defer { scratch.deallocate() }
            let buffer = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: Float.self)
            weights.splatted.withUnsafeBufferPointer { w in
                weights.values.withUnsafeBufferPointer { values in
                    tapOffsets.withUnsafeBufferPointer { offsets in
                        for plane in (planes * t / parts)..<(planes * (t + 1) / parts) {
                            let channel = plane % g.inChannels
                            layout.fill(buffer, from: input + plane * g.inPlane, avx512: isa == .avx512)
                            let (b, out) = (bias?[channel] ?? 0, output + plane * g.outPlane)
                            switch isa {
                            case .avx512:
                                octet_depthwise_plane_avx512(
                                    buffer, g.strideY * layout.rowStride, offsets.baseAddress!, weights.taps,
                                    values.baseAddress! + channel * weights.taps, b, out, g.outHeight, g.outWidth,
                                    activation == nil ? 0 : 1, activation?.lower ?? 0, activation?.upper ?? 0)
                            case .avx2:
                                octet_depthwise_plane_avx2(
                                    buffer, g.strideY * layout.rowStride, offsets.baseAddress!, weights.taps,
                                    values.baseAddress! + channel * weights.taps, b, out, g.outHeight, g.outWidth,
                                    activation == nil ? 0 : 1, activation?.lower ?? 0, activation?.upper ?? 0)
                            case .portable:
                                convolve(g, layout, buffer, w.baseAddress! + channel * weights.taps, offsets, b,
                                         out, activation)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The zero-padded plane the lane kernel's taps read: every row and column an output reads, and the
    /// whole input.
    static func lanePlane(_ g: ConvGeometry) -> (rows: Int, columns: Int) {
        (max((g.outHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1, g.padTop + g.height),
         max((g.outWidth - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX + 1, g.padLeft + g.width))
    }

    /// The geometry and clamp as the C kernels take them (without the padded plane).
    static func kernelGeometry(_ g: ConvGeometry, activation: FusedActivation?) -> OctetDepthwiseLanes {
        var k = OctetDepthwiseLanes()
        (k.height, k.width, k.out_height, k.out_width) = (g.height, g.width, g.outHeight, g.outWidth)
        (k.kernel_height, k.kernel_width) = (g.kernelHeight, g.kernelWidth)
        (k.stride_y, k.stride_x, k.dilation_y, k.dilation_x) = (g.strideY, g.strideX, g.dilationY, g.dilationX)
        (k.pad_top, k.pad_left) = (g.padTop, g.padLeft)
        (k.clamp, k.lower, k.upper) = (activation == nil ? 0 : 1, activation?.lower ?? 0, activation?.upper ?? 0)
        return k
    }

    /// One plane at a time straight from the input (`octet_depthwise_direct_avx512`), planes split over threads.
    static func runDirect(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: DepthwiseWeights,
                          bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                          activation: FusedActivation?, threads: Int) {
        let planes = g.batch * g.inChannels
        let parts = max(1, min(threads, planes))
        weights.values.withUnsafeBufferPointer { w in
            withUnsafePointer(to: kernelGeometry(g, activation: activation)) { geometry in
                parallelFor(parts, threads: parts) { t in
                    for plane in (planes * t / parts)..<(planes * (t + 1) / parts) {
                        let channel = plane % g.inChannels
                        octet_depthwise_direct_avx512(geometry, input + plane * g.inPlane,
                                                      w.baseAddress! + channel * weights.taps, bias?[channel] ?? 0,
                                                      output + plane * g.outPlane)
                    }
                }
            }
        }
    }

    /// 16 channels at a time, one per vector lane (`octet_depthwise_lanes_avx512`).
    static func runLanes(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: DepthwiseWeights,
                         bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                         activation: FusedActivation?, threads: Int) {
        var lanes = kernelGeometry(g, activation: activation)
        (lanes.padded_height, lanes.padded_width) = lanePlane(g)
        let groups = (g.inChannels + 15) / 16
        let items = g.batch * groups
        let parts = max(1, min(threads, items))
        let scratchFloats = lanes.padded_height * lanes.padded_width * 16, resultFloats = g.outPlane * 16
        weights.lanes.withUnsafeBufferPointer { w in
            withUnsafePointer(to: lanes) { geometry in
                parallelFor(parts, threads: parts) { t in
                    // Zeroed once: the kernel writes only the inside of the padded planes.
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchFloats + resultFloats)
                    scratch.initialize(repeating: 0, count: scratchFloats)
                    defer { scratch.deallocate() }
                    for item in (items * t / parts)..<(items * (t + 1) / parts) {
                        let (image, group) = (item / groups, item % groups)
                        let first = group * 16, count = min(16, g.inChannels - first)
                        let plane = image * g.inChannels + first
                        octet_depthwise_lanes_avx512(geometry, input + plane * g.inPlane, count,
                                                     w.baseAddress! + group * weights.taps * 16,
                                                     bias.map { $0 + first }, output + plane * g.outPlane, scratch,
                                                     scratch + scratchFloats)
                    }
                }
            }
        }
    }

    /// One output plane from a phase-split padded input plane.
    private static func convolve(_ g: ConvGeometry, _ layout: PhaseLayout, _ padded: UnsafeMutablePointer<Float>,
                                 _ w: UnsafePointer<SIMD4<Float>>, _ offsets: UnsafeBufferPointer<Int>, _ bias: Float,
                                 _ out: UnsafeMutablePointer<Float>, _ activation: FusedActivation?) {
        let clamp = activation.map { (SIMD4<Float>(repeating: $0.lower), SIMD4<Float>(repeating: $0.upper)) }
        do {
            let o = offsets.baseAddress!
            if offsets.count == 9 {
                // 3x3, the common case: nine weights in registers, three row pointers and the offsets of
                // columns 1 and 2 (column 0 is at offset 0 of its row), the tap loop unrolled.
                let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
                let (c1, c2, r1, r2) = (o[1], o[2], o[3], o[6])
                for oy in 0..<g.outHeight {
                    let row0 = padded + oy * g.strideY * layout.rowStride
                    let row1 = row0 + r1, row2 = row0 + r2
                    for ox in stride(from: 0, to: g.outWidth, by: vector) {
                        var a = (SIMD4<Float>(repeating: bias), SIMD4<Float>(repeating: bias))
                        tap(row0 + ox, w0, &a); tap(row0 + ox + c1, w1, &a); tap(row0 + ox + c2, w2, &a)
                        tap(row1 + ox, w3, &a); tap(row1 + ox + c1, w4, &a); tap(row1 + ox + c2, w5, &a)
                        tap(row2 + ox, w6, &a); tap(row2 + ox + c1, w7, &a); tap(row2 + ox + c2, w8, &a)
                        store(a, clamp, to: out + oy * g.outWidth + ox, count: g.outWidth - ox)
                    }
                }
                return
            }
            for oy in 0..<g.outHeight {
                let row = padded + oy * g.strideY * layout.rowStride
                for ox in stride(from: 0, to: g.outWidth, by: vector) {
                    var a = (SIMD4<Float>(repeating: bias), SIMD4<Float>(repeating: bias))
                    for t in 0..<offsets.count { tap(row + ox + o[t], w[t], &a) }
                    store(a, clamp, to: out + oy * g.outWidth + ox, count: g.outWidth - ox)
                }
            }
        }
    }

    /// Adds one tap's weight times the eight inputs at `p` to the accumulators.
    @inline(__always)
    private static func tap(_ p: UnsafeMutablePointer<Float>, _ w: SIMD4<Float>,
                            _ a: inout (SIMD4<Float>, SIMD4<Float>)) {
        let raw = UnsafeRawPointer(p)
        a.0 += w * raw.loadUnaligned(as: SIMD4<Float>.self)
        a.1 += w * raw.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
    }

    /// Writes eight results (clamped when asked), or the first `count` of them at the end of a row.
    @inline(__always)
    private static func store(_ a: (SIMD4<Float>, SIMD4<Float>), _ clamp: (SIMD4<Float>, SIMD4<Float>)?,
                              to out: UnsafeMutablePointer<Float>, count: Int) {
        var a = a
        if let (lo, hi) = clamp { a = (a.0.clamped(lo, hi), a.1.clamped(lo, hi)) }
        if count >= vector {
            let raw = UnsafeMutableRawPointer(out)
            raw.storeBytes(of: a.0, as: SIMD4<Float>.self)
            raw.storeBytes(of: a.1, toByteOffset: 16, as: SIMD4<Float>.self)
        } else {
            withUnsafeBytes(of: &a) { bytes in
                let values = bytes.assumingMemoryBound(to: Float.self)
                for i in 0..<count { out[i] = values[i] }
            }
        }
    }
}

/// Where each padded input value lives in the phase-split scratch plane.
private struct PhaseLayout {
    /// Padded rows actually read: (outHeight − 1)·sy + (kh − 1)·dy + 1.
    let rows: Int
    /// Values per phase row: the widest read, rounded up to whole vectors of the widest kernel.
    let phaseStride: Int
    /// Values per padded row (all phases).
    let rowStride: Int
    let floats: Int
    let g: ConvGeometry

    init(_ g: ConvGeometry) {
        self.g = g
        rows = (g.outHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1
        let widestRead = (g.kernelWidth - 1) * g.dilationX / g.strideX
            + (g.outWidth + DepthwiseConv.widestVector - 1) / DepthwiseConv.widestVector * DepthwiseConv.widestVector
        phaseStride = widestRead
        rowStride = phaseStride * g.strideX
        floats = rows * rowStride
    }

    /// Copies one input plane into the inside of the scratch plane, split by column phase; the padding
    /// around it is never written, so it stays zero from the first fill.
    func fill(_ buffer: UnsafeMutablePointer<Float>, from plane: UnsafePointer<Float>, avx512: Bool) {
        let firstRow = max(0, g.padTop), lastRow = min(rows, g.padTop + g.height)
        for phase in 0..<g.strideX {
            // Phase index i holds input column i·sx + phase − left; [begin, end) of them lie inside the row.
            let offset = phase - g.padLeft
            let begin = min(phaseStride, max(0, (-offset + g.strideX - 1) / g.strideX))
            let end = max(begin, min(phaseStride, (g.width - offset + g.strideX - 1) / g.strideX))
            let count = end - begin
            let target = buffer + firstRow * rowStride + phase * phaseStride + begin
            let source = plane + (firstRow - g.padTop) * g.width + begin * g.strideX + offset
            octet_copy_rows_strided(source, g.width, g.strideX, count, max(0, lastRow - firstRow), target, rowStride,
                                    avx512 ? 1 : 0)
        }
    }
}
