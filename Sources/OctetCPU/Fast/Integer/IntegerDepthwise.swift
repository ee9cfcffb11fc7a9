import OctetCPUKernels

/// Depthwise weights, one `kh × kw` filter per channel with the weight zero point already subtracted.
struct IntegerDepthwiseWeights: Sendable {
    let taps: Int
    let values: [Int32]
    /// The channel-lane kernel's layout: per 16 channels, taps × 16 weights, each in the low 16 bits (zero
    /// above, so vpdpwssd adds value × weight alone), lanes past the last channel zero.
    let lanes: [Int32]

    init(taps: Int, values: [Int32]) {
        self.taps = taps
        self.values = values
        let channels = taps > 0 ? values.count / taps : 0
        var lanes = [Int32](repeating: 0, count: (channels + 15) / 16 * taps * 16)
        for c in 0..<channels {
            for t in 0..<taps {
                lanes[(c / 16 * taps + t) * 16 + c % 16] = Int32(bitPattern: UInt32(UInt16(truncatingIfNeeded: values[c * taps + t])))
            }
        }
        self.lanes = lanes
    }
}

/// Integer depthwise convolution, vectorised along the output width, any kernel size, stride, dilation, pads.
///
/// Each channel becomes an int32 plane of x - xZero, zero-padded (so padded taps add nothing) and split by
/// column phase (column `x` goes to phase `x mod strideX` at `x / strideX`), so every tap of every output
/// row is a contiguous vector load, as in the float DepthwiseConv.
enum IntegerDepthwise {
    /// Which kernel runs a depthwise convolution (tests check that each one ran).
    enum Variant: Equatable, CustomStringConvertible {
        /// Any size, stride, dilation: an int32 plane, one tap per vpdpwssd (and the AVX2 and portable paths).
        case general
        /// 3x3, stride 1 or 2, rows wider than 16 (or stride-1 rows up to 14): an int16 plane, two taps per
        /// vpdpwssd.
        case pairedTaps
        /// 3x3 stride 2 with rows of 14 or 7 outputs: parity sub-planes, several output rows per vector.
        case narrowStride2(subWidth: Int)
        /// Small planes (rows of at most 8 outputs), filters of up to 64 taps: 16 channels at a time, one per
        /// lane.
        case lanes

        var description: String {
            switch self {
            case .general: "general"
            case .pairedTaps: "paired taps"
            case .narrowStride2(let w): "narrow stride 2, rows of \(w)"
            case .lanes: "channel lanes"
            }
        }
    }

    static func variant(_ g: ConvGeometry, isa: IntegerKernelISA) -> Variant {
        if isa == .avx512vnni, g.outWidth <= DepthwiseConv.laneKernelWidth, g.kernelHeight * g.kernelWidth <= 64 {
            let padded = DepthwiseConv.lanePlane(g)
            if padded.rows * padded.columns <= DepthwiseConv.laneKernelMaxPlane { return .lanes }
        }
        guard isa == .avx512vnni, g.kernelHeight == 3, g.kernelWidth == 3, g.strideY == g.strideX, g.strideX <= 2,
              g.dilationY == 1, g.dilationX == 1 else { return .general }
        if let subWidth = narrowStride2SubWidth(g) { return .narrowStride2(subWidth: subWidth) }
        return g.outWidth > 16 || narrow3x3(g) ? .pairedTaps : .general
    }

    static func run(_ g: ConvGeometry, input: UnsafePointer<UInt8>, signed: Bool, zeroPoint: Int32,
                    weights: IntegerDepthwiseWeights, epilogue: OctetIntEpilogue,
                    output: UnsafeMutableRawPointer, isa: IntegerKernelISA, threads: Int) {
        switch variant(g, isa: isa) {
        case .lanes:
            runLanes(g, input: input, signed: signed, zeroPoint: zeroPoint, weights: weights, epilogue: epilogue,
                     output: output, threads: threads)
            return
        case .narrowStride2(let subWidth):
            runNarrowStride2(g, subWidth: subWidth, input: input, signed: signed, zeroPoint: zeroPoint,
                             weights: weights, epilogue: epilogue, output: output, threads: threads)
            return
        case .pairedTaps:
            run3x3(g, input: input, signed: signed, zeroPoint: zeroPoint, weights: weights, epilogue: epilogue,
                   output: output, threads: threads)
            return
        case .general: break
        }
        let (sx, kw) = (g.strideX, g.kernelWidth)
        let rows = max(g.height + g.padTop, (g.outHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1)
        // Wide enough for the input's columns and for 16-column vector reads past the last output column.
        let phaseWidth = max((g.width + g.padLeft + sx - 1) / sx,
                             (g.outWidth + 15) / 16 * 16 + (kw - 1) * g.dilationX / sx)
        let rowStride = sx * phaseWidth
        let offsets = (0..<g.kernelHeight * kw).map { t in
            let (ky, column) = (t / kw, t % kw * g.dilationX)
            return ky * g.dilationY * rowStride + column % sx * phaseWidth + column / sx
        }
        let planes = g.batch * g.inChannels
        let parts = max(1, min(threads, planes))
        parallelFor(parts, threads: parts) { t in
            // Zeroed once: the padding sits at the same places in every plane, only the inside is rewritten.
            let plane = UnsafeMutablePointer<Int32>.allocate(capacity: rows * rowStride)
            plane.initialize(repeating: 0, count: rows * rowStride)
            defer { plane.deallocate() }
            var e = epilogue
            offsets.withUnsafeBufferPointer { offsets in
                weights.values.withUnsafeBufferPointer { w in
                    for index in (planes * t / parts)..<(planes * (t + 1) / parts) {
                        let channel = index % g.inChannels
                        let fill = isa == .avx512vnni ? octet_i8_phase_plane_avx512 : octet_i8_phase_plane
                        fill(input + index * g.inPlane, signed ? 1 : 0, zeroPoint, g.height, g.width, g.padTop,
                             g.padLeft, sx, phaseWidth, plane)
                        let args = (plane: UnsafePointer(plane), step: g.strideY * rowStride, taps: weights.taps,
                                    w: w.baseAddress! + channel * weights.taps, offset: index * g.outPlane)
                        switch isa {
                        case .portable:
                            octet_i8_depthwise_portable(args.plane, args.step, offsets.baseAddress!, args.taps, args.w,
                                                        channel, output, args.offset, g.outHeight, g.outWidth, &e)
                        case .avx2:
                            octet_i8_depthwise_avx2(args.plane, args.step, offsets.baseAddress!, args.taps, args.w,
                                                    channel, output, args.offset, g.outHeight, g.outWidth, &e)
                        case .avx512vnni:
                            octet_i8_depthwise_avx512(args.plane, args.step, offsets.baseAddress!, args.taps, args.w,
                                                      channel, output, args.offset, g.outHeight, g.outWidth, &e)
                        }
                    }
                }
            }
        }
    }

    /// The common 3x3 stride-1 and stride-2 cases on AVX-512: an int16 plane, two taps per vpdpwssd.
    private static func run3x3(_ g: ConvGeometry, input: UnsafePointer<UInt8>, signed: Bool, zeroPoint: Int32,
                               weights: IntegerDepthwiseWeights, epilogue: OctetIntEpilogue,
                               output: UnsafeMutableRawPointer, threads: Int) {
        let s = g.strideX
        let narrow = narrow3x3(g)
        let rows = max(g.height + g.padTop, narrow ? g.outHeight + 4 : (g.outHeight - 1) * s + 3)
        let phaseWidth = narrow ? 16 : max((g.width + g.padLeft + s - 1) / s, (g.outWidth + 31) / 32 * 32 + 3)
        let count = rows * s * phaseWidth
        forEachPlane(g, scratch: count, weights: weights, epilogue: epilogue, threads: threads) { plane, index, w, e in
            octet_i8_depthwise3x3_avx512(input + index * g.inPlane, signed ? 1 : 0, zeroPoint, g.height, g.width,
                                         g.padTop, g.padLeft, s, plane, phaseWidth, w, index % g.inChannels, output,
                                         index * g.outPlane, g.outHeight, g.outWidth, e)
        }
    }

    /// Small planes 16 channels at a time, one per lane (`octet_i8_depthwise_lanes_avx512`); the images'
    /// 16-channel groups split over threads.
    private static func runLanes(_ g: ConvGeometry, input: UnsafePointer<UInt8>, signed: Bool, zeroPoint: Int32,
                                 weights: IntegerDepthwiseWeights, epilogue: OctetIntEpilogue,
                                 output: UnsafeMutableRawPointer, threads: Int) {
        // The float kernel's geometry; the integer kernel clamps in its epilogue instead.
        var lanes = DepthwiseConv.kernelGeometry(g, activation: nil)
        (lanes.padded_height, lanes.padded_width) = DepthwiseConv.lanePlane(g)
        let groups = (g.inChannels + 15) / 16
        let items = g.batch * groups
        let parts = max(1, min(threads, items))
        let scratchCount = lanes.padded_height * lanes.padded_width * 16
        let elementSize = epilogue.kind == OCTET_INT_OUT_8BIT ? 1 : 4
        weights.lanes.withUnsafeBufferPointer { w in
            withUnsafePointer(to: lanes) { geometry in
                parallelFor(parts, threads: parts) { t in
                    // Zeroed once: the padding sits at the same places for every group, only the inside is rewritten.
                    let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: scratchCount + g.outPlane * 16)
                    scratch.initialize(repeating: 0, count: scratchCount + g.outPlane * 16)
                    defer { scratch.deallocate() }
                    var e = epilogue
                    for item in (items * t / parts)..<(items * (t + 1) / parts) {
                        let (image, group) = (item / groups, item % groups)
                        let first = group * 16, count = min(16, g.inChannels - first)
                        let plane = image * g.inChannels + first
                        octet_i8_depthwise_lanes_avx512(geometry, input + plane * g.inPlane, signed ? 1 : 0, zeroPoint,
                                                        count, w.baseAddress! + group * weights.taps * 16, first,
                                                        output + plane * g.outPlane * elementSize, scratch,
                                                        scratch + scratchCount, &e)
                    }
                }
            }
        }
    }

    /// Stride-2 3x3 on narrow planes (14 or 7 outputs wide): four parity sub-planes with rows of 8 or 16.
    private static func runNarrowStride2(_ g: ConvGeometry, subWidth: Int, input: UnsafePointer<UInt8>, signed: Bool,
                                         zeroPoint: Int32, weights: IntegerDepthwiseWeights,
                                         epilogue: OctetIntEpilogue, output: UnsafeMutableRawPointer, threads: Int) {
        let step = 32 / subWidth
        let subRows = max((g.height + g.padTop + 1) / 2, (g.outHeight + step - 1) / step * step + 2)
        let count = 4 * subRows * subWidth
        forEachPlane(g, scratch: count, weights: weights, epilogue: epilogue, threads: threads) { plane, index, w, e in
            octet_i8_depthwise3x3s2_narrow_avx512(input + index * g.inPlane, signed ? 1 : 0, zeroPoint, g.height,
                                                  g.width, g.padTop, g.padLeft, plane, subWidth, subRows, w,
                                                  index % g.inChannels, output, index * g.outPlane, g.outHeight,
                                                  g.outWidth, e)
        }
    }

    /// The batch's planes split over threads, each thread with its own int16 scratch of `count` values:
    /// `body(scratch, plane index, that channel's weights, epilogue)`. The scratch is zeroed once, since the
    /// padding sits at the same places in every plane and only the inside is rewritten.
    private static func forEachPlane(_ g: ConvGeometry, scratch count: Int, weights: IntegerDepthwiseWeights,
                                     epilogue: OctetIntEpilogue, threads: Int,
                                     _ body: (UnsafeMutablePointer<Int16>, Int, UnsafePointer<Int32>,
                                              UnsafeMutablePointer<OctetIntEpilogue>) -> Void) {
        let planes = g.batch * g.inChannels
        let parts = max(1, min(threads, planes))
        parallelFor(parts, threads: parts) { t in
            let plane = UnsafeMutablePointer<Int16>.allocate(capacity: count)
            plane.initialize(repeating: 0, count: count)
            defer { plane.deallocate() }
            var e = epilogue
            weights.values.withUnsafeBufferPointer { w in
                for index in (planes * t / parts)..<(planes * (t + 1) / parts) {
                    body(plane, index, w.baseAddress! + index % g.inChannels * weights.taps, &e)
                }
            }
        }
    }

    /// The sub-row width for the narrow stride-2 kernel: outputs fewer than it, padded input columns at
    /// most twice it; nil when neither 8 nor 16 fits.
    private static func narrowStride2SubWidth(_ g: ConvGeometry) -> Int? {
        guard g.strideX == 2, g.strideY == 2 else { return nil }
        return [8, 16].first { g.outWidth < $0 && g.width + g.padLeft <= 2 * $0 }
    }

    /// Rows of at most 14 outputs (stride 1) that the 3x3 kernel packs two to a 32-column step in 16-wide
    /// plane rows; wider rows that are still at most 16 go to the 16-column int32 kernel.
    private static func narrow3x3(_ g: ConvGeometry) -> Bool {
        g.strideX == 1 && g.outWidth <= 14 && g.width + g.padLeft <= 16
    }
}
