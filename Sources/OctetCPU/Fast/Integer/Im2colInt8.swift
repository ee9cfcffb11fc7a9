import OctetCPUKernels

/// One image-group's 8-bit input padded with its zero point and flipped to uint8, and the offsets that
/// gather its im2col matrix: B[k][p] = padded[kOffsets[k] + pOffsets[p]].
///
/// Padding with the zero point makes an out-of-image tap contribute (xZero - xZero)·w = 0 once the folded
/// bias is added, exactly as ONNX ConvInteger/QLinearConv define it.
struct Im2colInt8 {
    let padded: UnsafeMutablePointer<UInt8>
    let kOffsets: [Int]
    let pOffsets: [Int]
    let depth4: Int

    init(source: UnsafePointer<UInt8>, geometry g: ConvGeometry, flip: UInt8, zeroPoint: UInt8, depth4: Int) {
        let height = max(g.height + g.padTop, (g.outHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1)
        let width = max(g.width + g.padLeft, (g.outWidth - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX + 1)
        let channels = g.inChannelsPerGroup
        padded = .allocate(capacity: channels * height * width)
        padded.initialize(repeating: zeroPoint, count: channels * height * width)
        for c in 0..<channels {
            for y in 0..<g.height {
                let src = source + (c * g.height + y) * g.width
                let dst = padded + (c * height + y + g.padTop) * width + g.padLeft
                if flip == 0 {
                    dst.update(from: src, count: g.width)
                } else {
                    for x in 0..<g.width { dst[x] = src[x] ^ flip }
                }
            }
        }
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        // Depth past the matrix has zero weights: any readable byte will do.
        kOffsets = (0..<depth4 * 4).map { k in
            guard k < g.depth else { return 0 }
            let (c, ky, kx) = (k / (kh * kw), k / kw % kh, k % kw)
            return (c * height + ky * g.dilationY) * width + kx * g.dilationX
        }
        // Columns past the output read offset 0; their results are dropped.
        var p = [Int](repeating: 0, count: (g.outPlane + 15) / 16 * 16)
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth { p[oy * g.outWidth + ox] = oy * g.strideY * width + ox * g.strideX }
        }
        pOffsets = p
        self.depth4 = depth4
    }

    /// Packs 16-column groups `range` into the GEMM's B layout at `b` (group 0's address).
    func pack(_ range: Range<Int>, into b: UnsafeMutablePointer<UInt8>, isa: IntegerKernelISA) {
        let gather = isa == .avx512vnni ? octet_i8_pack_gather_avx512 : octet_i8_pack_gather
        gather(padded, kOffsets, pOffsets, depth4, range.lowerBound, range.upperBound, b)
    }

    func deallocate() { padded.deallocate() }
}
