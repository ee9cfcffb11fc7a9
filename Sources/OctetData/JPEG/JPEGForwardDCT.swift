/// libjpeg's accurate integer forward DCT ("islow", jfdctint.c) and its quantizer, so the encoder writes
/// the coefficients `cjpeg` writes: the Loeffler–Ligtenberg–Moschytz factorization with 13-bit
/// constants (`JPEGIslowConstants`), rows first keeping 2 extra bits, then columns.
///
/// The result is 8 times the true DCT, so a coefficient is divided by 8 * q, rounding half away from
/// zero (jcdctmgr.c): 100 with q = 10 gives (100 + 40) / 80 = 1, and -100 gives -1.
struct JPEGForwardDCT: JPEGIslowConstants {
    /// The 8x8 block at (x, y) of `plane`, level-shifted, transformed and divided by `divisors`
    /// (quantization table entries, natural order); written to `out` in natural order.
    func quantizedBlock(_ plane: [UInt8], stride: Int, x: Int, y: Int, divisors: [Int], into out: inout [Int]) {
        for r in 0..<8 {
            for c in 0..<8 { out[r * 8 + c] = Int(plane[(y + r) * stride + x + c]) - 128 }
        }
        let c = Self.constBits, p = Self.pass1Bits
        for row in 0..<8 {
            let i = row * 8
            let t = Self.butterfly(out[i], out[i + 1], out[i + 2], out[i + 3], out[i + 4], out[i + 5], out[i + 6], out[i + 7])
            out[i] = t.sum0 << p
            out[i + 4] = t.sum4 << p
            out[i + 2] = Self.descale(t.rot2, c - p)
            out[i + 6] = Self.descale(t.rot6, c - p)
            out[i + 7] = Self.descale(t.odd7, c - p)
            out[i + 5] = Self.descale(t.odd5, c - p)
            out[i + 3] = Self.descale(t.odd3, c - p)
            out[i + 1] = Self.descale(t.odd1, c - p)
        }
        for col in 0..<8 {
            let t = Self.butterfly(out[col], out[col + 8], out[col + 16], out[col + 24], out[col + 32], out[col + 40],
                                   out[col + 48], out[col + 56])
            out[col] = Self.descale(t.sum0, p)
            out[col + 32] = Self.descale(t.sum4, p)
            out[col + 16] = Self.descale(t.rot2, c + p)
            out[col + 48] = Self.descale(t.rot6, c + p)
            out[col + 56] = Self.descale(t.odd7, c + p)
            out[col + 40] = Self.descale(t.odd5, c + p)
            out[col + 24] = Self.descale(t.odd3, c + p)
            out[col + 8] = Self.descale(t.odd1, c + p)
        }
        for i in 0..<64 { out[i] = Self.quantize(out[i], divisors[i]) }
    }

    static func descale(_ x: Int, _ n: Int) -> Int { (x + (1 << (n - 1))) >> n }

    /// Divides an 8x-scaled coefficient by 8 * q, rounding half away from zero.
    static func quantize(_ x: Int, _ q: Int) -> Int {
        let divisor = 8 * q
        return x < 0 ? -((-x + divisor / 2) / divisor) : (x + divisor / 2) / divisor
    }

    /// One 8-point DCT before descaling: the DC and 4th outputs as plain sums, the rest scaled by 2^13.
    static func butterfly(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int, _ d4: Int, _ d5: Int, _ d6: Int, _ d7: Int)
        -> (sum0: Int, sum4: Int, rot2: Int, rot6: Int, odd7: Int, odd5: Int, odd3: Int, odd1: Int) {
        let t0 = d0 + d7, t7 = d0 - d7, t1 = d1 + d6, t6 = d1 - d6
        let t2 = d2 + d5, t5 = d2 - d5, t3 = d3 + d4, t4 = d3 - d4
        let t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2
        // Even part: a rotation by sqrt(2) c6 of (t12, t13).
        let z1 = (t12 + t13) * fix0_541196100
        let rot2 = z1 + t13 * fix0_765366865
        let rot6 = z1 - t12 * fix1_847759065
        // Odd part on t4...t7.
        let s1 = t4 + t7, s2 = t5 + t6, s3 = t4 + t6, s4 = t5 + t7
        let z5 = (s3 + s4) * fix1_175875602
        let m1 = -s1 * fix0_899976223, m2 = -s2 * fix2_562915447
        let m3 = -s3 * fix1_961570560 + z5, m4 = -s4 * fix0_390180644 + z5
        return (t10 + t11, t10 - t11, rot2, rot6,
                t4 * fix0_298631336 + m1 + m3, t5 * fix2_053119869 + m2 + m4,
                t6 * fix3_072711026 + m2 + m3, t7 * fix1_501321110 + m1 + m4)
    }
}
