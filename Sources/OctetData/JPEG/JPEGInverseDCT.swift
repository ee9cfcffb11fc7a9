/// The accurate integer inverse DCT of libjpeg's default "islow" method (the Loeffler–Ligtenberg–
/// Moschytz factorization with 13-bit constants), so decoded samples agree with libjpeg-turbo.
///
/// Pass 1 runs down columns keeping PASS1_BITS = 2 extra bits; pass 2 runs along rows and removes
/// CONST_BITS + PASS1_BITS + 3 bits (the 3 is the DCT's 1/8 scale), rounding half up:
/// DESCALE(x, n) = (x + 2^(n-1)) >> n, e.g. DESCALE(20, 3) = 3, DESCALE(-20, 3) = -2.
/// Outputs pass through libjpeg's range-limit table: x + 128 clamped to 0...255 for |x| < 512.
final class JPEGInverseDCT {
    private static let constBits = 13
    private static let pass1Bits = 2
    private static let fix0_298631336 = 2446, fix0_390180644 = 3196, fix0_541196100 = 4433
    private static let fix0_765366865 = 6270, fix0_899976223 = 7373, fix1_175875602 = 9633
    private static let fix1_501321110 = 12299, fix1_847759065 = 15137, fix1_961570560 = 16069
    private static let fix2_053119869 = 16819, fix2_562915447 = 20995, fix3_072711026 = 25172

    private let workspace = JPEGBuffer<Int>(repeating: 0, count: 64)
    /// libjpeg's IDCT range limit, indexed by x & 1023: wraps like its table for out-of-range input.
    let rangeLimit: JPEGBuffer<UInt8>

    init() {
        var table = [UInt8](repeating: 0, count: 1024)
        for m in 0..<1024 {
            switch m {
            case 0...127: table[m] = UInt8(m + 128)
            case 128...511: table[m] = 255
            case 512...895: table[m] = 0
            default: table[m] = UInt8(m - 896)
            }
        }
        rangeLimit = JPEGBuffer(table)
    }

    /// Fills an 8x8 block whose only nonzero coefficient is DC (both passes reduce to one value).
    @inline(__always)
    func transformDC(_ dc: Int16, quant: UnsafePointer<Int32>, output: UnsafeMutablePointer<UInt8>, stride: Int) {
        let value = (Int(dc) &* Int(quant[0])) &<< Self.pass1Bits
        let sample = rangeLimit.pointer[((value &+ 16) &>> 5) & 1023]
        var row = output
        for _ in 0..<8 {
            row.update(repeating: sample, count: 8)
            row += stride
        }
    }

    /// Dequantizes and inverse-transforms one block (natural order) into 8 rows of `output`.
    func transform(_ input: UnsafePointer<Int16>, quant: UnsafePointer<Int32>, output: UnsafeMutablePointer<UInt8>, stride: Int) {
        let ws = workspace.pointer
        let range = rangeLimit.pointer
        let cb = Self.constBits, p1 = Self.pass1Bits
        for col in 0..<8 {
            @inline(__always) func dq(_ row: Int) -> Int { Int(input[row * 8 + col]) &* Int(quant[row * 8 + col]) }
            if input[8 + col] == 0 && input[16 + col] == 0 && input[24 + col] == 0 && input[32 + col] == 0
                && input[40 + col] == 0 && input[48 + col] == 0 && input[56 + col] == 0 {
                let dc = dq(0) &<< p1
                for row in 0..<8 { ws[row * 8 + col] = dc }
                continue
            }
            // Even part.
            var z2 = dq(2), z3 = dq(6)
            var z1 = (z2 &+ z3) &* Self.fix0_541196100
            var tmp2 = z1 &+ z3 &* -Self.fix1_847759065
            var tmp3 = z1 &+ z2 &* Self.fix0_765366865
            z2 = dq(0)
            z3 = dq(4)
            var tmp0 = (z2 &+ z3) &<< cb
            var tmp1 = (z2 &- z3) &<< cb
            let tmp10 = tmp0 &+ tmp3, tmp13 = tmp0 &- tmp3, tmp11 = tmp1 &+ tmp2, tmp12 = tmp1 &- tmp2
            // Odd part.
            tmp0 = dq(7)
            tmp1 = dq(5)
            tmp2 = dq(3)
            tmp3 = dq(1)
            z1 = tmp0 &+ tmp3
            z2 = tmp1 &+ tmp2
            z3 = tmp0 &+ tmp2
            var z4 = tmp1 &+ tmp3
            let z5 = (z3 &+ z4) &* Self.fix1_175875602
            tmp0 = tmp0 &* Self.fix0_298631336
            tmp1 = tmp1 &* Self.fix2_053119869
            tmp2 = tmp2 &* Self.fix3_072711026
            tmp3 = tmp3 &* Self.fix1_501321110
            z1 = z1 &* -Self.fix0_899976223
            z2 = z2 &* -Self.fix2_562915447
            z3 = z3 &* -Self.fix1_961570560 &+ z5
            z4 = z4 &* -Self.fix0_390180644 &+ z5
            tmp0 = tmp0 &+ z1 &+ z3
            tmp1 = tmp1 &+ z2 &+ z4
            tmp2 = tmp2 &+ z2 &+ z3
            tmp3 = tmp3 &+ z1 &+ z4
            let shift = cb - p1, round = 1 << (shift - 1)
            ws[col] = (tmp10 &+ tmp3 &+ round) &>> shift
            ws[56 + col] = (tmp10 &- tmp3 &+ round) &>> shift
            ws[8 + col] = (tmp11 &+ tmp2 &+ round) &>> shift
            ws[48 + col] = (tmp11 &- tmp2 &+ round) &>> shift
            ws[16 + col] = (tmp12 &+ tmp1 &+ round) &>> shift
            ws[40 + col] = (tmp12 &- tmp1 &+ round) &>> shift
            ws[24 + col] = (tmp13 &+ tmp0 &+ round) &>> shift
            ws[32 + col] = (tmp13 &- tmp0 &+ round) &>> shift
        }
        var out = output
        for row in 0..<8 {
            let w = ws + row * 8
            if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
                let sample = range[((w[0] &+ 16) &>> (p1 + 3)) & 1023]
                out.update(repeating: sample, count: 8)
                out += stride
                continue
            }
            var z2 = w[2], z3 = w[6]
            var z1 = (z2 &+ z3) &* Self.fix0_541196100
            var tmp2 = z1 &+ z3 &* -Self.fix1_847759065
            var tmp3 = z1 &+ z2 &* Self.fix0_765366865
            var tmp0 = (w[0] &+ w[4]) &<< cb
            var tmp1 = (w[0] &- w[4]) &<< cb
            let tmp10 = tmp0 &+ tmp3, tmp13 = tmp0 &- tmp3, tmp11 = tmp1 &+ tmp2, tmp12 = tmp1 &- tmp2
            tmp0 = w[7]
            tmp1 = w[5]
            tmp2 = w[3]
            tmp3 = w[1]
            z1 = tmp0 &+ tmp3
            z2 = tmp1 &+ tmp2
            z3 = tmp0 &+ tmp2
            var z4 = tmp1 &+ tmp3
            let z5 = (z3 &+ z4) &* Self.fix1_175875602
            tmp0 = tmp0 &* Self.fix0_298631336
            tmp1 = tmp1 &* Self.fix2_053119869
            tmp2 = tmp2 &* Self.fix3_072711026
            tmp3 = tmp3 &* Self.fix1_501321110
            z1 = z1 &* -Self.fix0_899976223
            z2 = z2 &* -Self.fix2_562915447
            z3 = z3 &* -Self.fix1_961570560 &+ z5
            z4 = z4 &* -Self.fix0_390180644 &+ z5
            tmp0 = tmp0 &+ z1 &+ z3
            tmp1 = tmp1 &+ z2 &+ z4
            tmp2 = tmp2 &+ z2 &+ z3
            tmp3 = tmp3 &+ z1 &+ z4
            let shift = cb + p1 + 3, round = 1 << (shift - 1)
            out[0] = range[((tmp10 &+ tmp3 &+ round) &>> shift) & 1023]
            out[7] = range[((tmp10 &- tmp3 &+ round) &>> shift) & 1023]
            out[1] = range[((tmp11 &+ tmp2 &+ round) &>> shift) & 1023]
            out[6] = range[((tmp11 &- tmp2 &+ round) &>> shift) & 1023]
            out[2] = range[((tmp12 &+ tmp1 &+ round) &>> shift) & 1023]
            out[5] = range[((tmp12 &- tmp1 &+ round) &>> shift) & 1023]
            out[3] = range[((tmp13 &+ tmp0 &+ round) &>> shift) & 1023]
            out[4] = range[((tmp13 &- tmp0 &+ round) &>> shift) & 1023]
            out += stride
        }
    }
}
