import OctetCPUKernels

/// Pointwise integer convolutions of small planes with 16 output channels in each vector's lanes
/// (`octet_i8gemm_channel_lanes_avx512`), where the column GEMM would pad the plane to 16-pixel groups.
///
/// A 7x7 plane is 49 pixels: the column GEMM computes 64 of them, the last group for one pixel. The
/// channel-lane kernel broadcasts each pixel instead and pads nothing when the channel count is a multiple
/// of 16, as it is in MobileNet and EfficientNet.
enum ChannelLaneGEMM {
    /// Which kernel runs a GEMM convolution (tests check that each one ran).
    enum Variant: String, Equatable {
        case columns
        case channelLanes = "channel lanes"
    }

    /// Where the column GEMM pads a fifth or more of the plane (7x7: 49 pixels in 64). Below that its
    /// larger tile, with an epilogue that needs no transpose, wins: on 14x14 planes (196 in 208) it is
    /// faster, measured on MobileNetV2's layers.
    static func variant(_ g: ConvGeometry, epilogueKind: Int32, isa: IntegerKernelISA) -> Variant {
        let padded = (g.outPlane + 15) / 16 * 16
        guard isa == .avx512vnni, g.isPointwise, epilogueKind == OCTET_INT_OUT_8BIT,
              padded * 5 >= g.outPlane * 6 else { return .columns }
        return .channelLanes
    }

    /// One image-group's product: `source` is its input plane (depth rows of `columns` bytes), `b` room for
    /// its packing (depth4 x columns x 4 bytes; the column GEMM's buffer is larger); split over `threads` by
    /// 16-channel vectors after one packing of B.
    static func multiply(_ gemm: OctetI8GEMM, source: UnsafePointer<UInt8>, depth: Int, flip: UInt8,
                         b: UnsafeMutablePointer<UInt8>, threads: Int) {
        let columns = gemm.columns, depth4 = gemm.depth4
        var g = gemm
        g.b = UnsafePointer(b)
        let vectors = (gemm.rows + 15) / 16
        let parts = max(1, min(threads, vectors))
        if parts == 1 {
            octet_i8_pack_pixels_avx512(source, columns, depth, columns, flip, 0, depth4, b)
            withUnsafePointer(to: &g) { octet_i8gemm_channel_lanes_avx512($0, 0, vectors) }
            return
        }
        parallelFor(parts, threads: parts) { t in
            octet_i8_pack_pixels_avx512(source, columns, depth, columns, flip, depth4 * t / parts,
                                        depth4 * (t + 1) / parts, b)
        }
        withUnsafePointer(to: &g) { p in
            parallelFor(parts, threads: parts) { t in
                octet_i8gemm_channel_lanes_avx512(p, vectors * t / parts, vectors * (t + 1) / parts)
            }
        }
    }
}
