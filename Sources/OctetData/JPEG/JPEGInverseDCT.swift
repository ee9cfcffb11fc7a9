/// The accurate integer inverse DCT of libjpeg's default "islow" method (the Loeffler–Ligtenberg–
/// Moschytz factorization with 13-bit constants), so decoded samples agree with libjpeg-turbo.
///
/// Pass 1 runs down columns keeping PASS1_BITS = 2 extra bits; pass 2 runs along rows and removes
/// CONST_BITS + PASS1_BITS + 3 bits (the 3 is the DCT's 1/8 scale), rounding half up:
/// DESCALE(x, n) = (x + 2^(n-1)) >> n, e.g. DESCALE(20, 3) = 3, DESCALE(-20, 3) = -2.
/// Outputs pass through libjpeg's range-limit table: x + 128 clamped to 0...255 for |x| < 512.
final class JPEGInverseDCT: JPEGIslowConstants {
    private let transposed = JPEGBuffer<Int32>(repeating: 0, count: 64)
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

    private typealias Lanes = SIMD8<Int32>

    /// Dequantizes and inverse-transforms one block (natural order) into 8 rows of `output`.
    /// Pass 1 works on all 8 columns at once (one vector per row), pass 2 on all 8 rows at once
    /// after a transpose; 32-bit lanes hold every intermediate of in-range coefficients, as in
    /// libjpeg-turbo's SIMD version. Dropping libjpeg's all-zero shortcuts changes no result.
    func transform(_ input: UnsafePointer<Int16>, quant: UnsafePointer<Int32>, output: UnsafeMutablePointer<UInt8>, stride: Int) {
        let coefficients = UnsafeRawPointer(input), quantization = UnsafeRawPointer(quant)
        @inline(__always) func row(_ i: Int) -> Lanes {
            Lanes(truncatingIfNeeded: coefficients.loadUnaligned(fromByteOffset: i * 16, as: SIMD8<Int16>.self))
                &* quantization.loadUnaligned(fromByteOffset: i * 32, as: Lanes.self)
        }
        let shift1 = Int32(Self.constBits - Self.pass1Bits)
        let c = Self.pass(row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7), shift: shift1)
        // Transpose through the workspace so pass 2 sees one vector per column.
        let ws = transposed.pointer
        @inline(__always) func store(_ v: Lanes, _ r: Int) { for k in 0..<8 { ws[k * 8 + r] = v[k] } }
        store(c.0, 0); store(c.1, 1); store(c.2, 2); store(c.3, 3)
        store(c.4, 4); store(c.5, 5); store(c.6, 6); store(c.7, 7)
        let raw = UnsafeRawPointer(ws)
        @inline(__always) func column(_ k: Int) -> Lanes { raw.loadUnaligned(fromByteOffset: k * 32, as: Lanes.self) }
        let shift2 = Int32(Self.constBits + Self.pass1Bits + 3)
        let o = Self.pass(column(0), column(1), column(2), column(3), column(4), column(5), column(6), column(7), shift: shift2)
        // In-range results (always, for valid data) take the vector path: x + 128 clamped equals the
        // range-limit table there; packed to bytes, one word per column, then transposed to rows.
        let low = Lanes(repeating: -512), high = Lanes(repeating: 511)
        let minimum = pointwiseMin(pointwiseMin(pointwiseMin(o.0, o.1), pointwiseMin(o.2, o.3)),
                                   pointwiseMin(pointwiseMin(o.4, o.5), pointwiseMin(o.6, o.7)))
        let maximum = pointwiseMax(pointwiseMax(pointwiseMax(o.0, o.1), pointwiseMax(o.2, o.3)),
                                   pointwiseMax(pointwiseMax(o.4, o.5), pointwiseMax(o.6, o.7)))
        guard any(minimum .< low) || any(maximum .> high) else {
            var w = (pack(o.0), pack(o.1), pack(o.2), pack(o.3), pack(o.4), pack(o.5), pack(o.6), pack(o.7))
            Self.swap(&w.0, &w.4, mask: 0x0000_0000_FFFF_FFFF, shift: 32)
            Self.swap(&w.1, &w.5, mask: 0x0000_0000_FFFF_FFFF, shift: 32)
            Self.swap(&w.2, &w.6, mask: 0x0000_0000_FFFF_FFFF, shift: 32)
            Self.swap(&w.3, &w.7, mask: 0x0000_0000_FFFF_FFFF, shift: 32)
            Self.swap(&w.0, &w.2, mask: 0x0000_FFFF_0000_FFFF, shift: 16)
            Self.swap(&w.1, &w.3, mask: 0x0000_FFFF_0000_FFFF, shift: 16)
            Self.swap(&w.4, &w.6, mask: 0x0000_FFFF_0000_FFFF, shift: 16)
            Self.swap(&w.5, &w.7, mask: 0x0000_FFFF_0000_FFFF, shift: 16)
            Self.swap(&w.0, &w.1, mask: 0x00FF_00FF_00FF_00FF, shift: 8)
            Self.swap(&w.2, &w.3, mask: 0x00FF_00FF_00FF_00FF, shift: 8)
            Self.swap(&w.4, &w.5, mask: 0x00FF_00FF_00FF_00FF, shift: 8)
            Self.swap(&w.6, &w.7, mask: 0x00FF_00FF_00FF_00FF, shift: 8)
            let out = UnsafeMutableRawPointer(output)
            out.storeBytes(of: w.0.littleEndian, as: UInt64.self)
            out.storeBytes(of: w.1.littleEndian, toByteOffset: stride, as: UInt64.self)
            out.storeBytes(of: w.2.littleEndian, toByteOffset: 2 * stride, as: UInt64.self)
            out.storeBytes(of: w.3.littleEndian, toByteOffset: 3 * stride, as: UInt64.self)
            out.storeBytes(of: w.4.littleEndian, toByteOffset: 4 * stride, as: UInt64.self)
            out.storeBytes(of: w.5.littleEndian, toByteOffset: 5 * stride, as: UInt64.self)
            out.storeBytes(of: w.6.littleEndian, toByteOffset: 6 * stride, as: UInt64.self)
            out.storeBytes(of: w.7.littleEndian, toByteOffset: 7 * stride, as: UInt64.self)
            return
        }
        let range = rangeLimit.pointer
        @inline(__always) func write(_ v: Lanes, _ j: Int) {
            let index = v & 1023
            for r in 0..<8 { output[r * stride + j] = range[Int(index[r])] }
        }
        write(o.0, 0); write(o.1, 1); write(o.2, 2); write(o.3, 3)
        write(o.4, 4); write(o.5, 5); write(o.6, 6); write(o.7, 7)
    }

    /// One column's samples (x + 128, clamped) as 8 bytes, row r in byte r (on little-endian machines).
    @inline(__always)
    private func pack(_ v: Lanes) -> UInt64 {
        let clamped = pointwiseMin(pointwiseMax(v &+ 128, Lanes(repeating: 0)), Lanes(repeating: 255))
        return unsafeBitCast(SIMD8<UInt8>(truncatingIfNeeded: clamped), to: UInt64.self)
    }

    /// One stage of an 8x8 byte transpose: exchanges the masked-out bytes of `a` with the masked-in
    /// bytes of `b` shifted by `shift` bits (32, 16 and 8 bits for 4x4, 2x2 and 1x1 blocks).
    @inline(__always)
    private static func swap(_ a: inout UInt64, _ b: inout UInt64, mask: UInt64, shift: UInt64) {
        let newA = (a & mask) | ((b &<< shift) & ~mask)
        b = ((a &>> shift) & mask) | (b & ~mask)
        a = newA
    }

    /// One 8-point islow IDCT on 8 lanes at once, descaled by `shift` with rounding.
    @inline(__always)
    private static func pass(
        _ s0: Lanes, _ s1: Lanes, _ s2: Lanes, _ s3: Lanes, _ s4: Lanes, _ s5: Lanes, _ s6: Lanes, _ s7: Lanes,
        shift: Int32
    ) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        @inline(__always) func k(_ x: Int) -> Lanes { Lanes(repeating: Int32(x)) }
        // Even part.
        let z1 = (s2 &+ s6) &* k(fix0_541196100)
        let tmp2 = z1 &+ s6 &* k(-fix1_847759065)
        let tmp3 = z1 &+ s2 &* k(fix0_765366865)
        let tmp0 = (s0 &+ s4) &<< Int32(constBits)
        let tmp1 = (s0 &- s4) &<< Int32(constBits)
        let tmp10 = tmp0 &+ tmp3, tmp13 = tmp0 &- tmp3, tmp11 = tmp1 &+ tmp2, tmp12 = tmp1 &- tmp2
        // Odd part.
        let z5 = (s7 &+ s3 &+ s5 &+ s1) &* k(fix1_175875602)
        let o1 = (s7 &+ s1) &* k(-fix0_899976223)
        let o2 = (s5 &+ s3) &* k(-fix2_562915447)
        let o3 = (s7 &+ s3) &* k(-fix1_961570560) &+ z5
        let o4 = (s5 &+ s1) &* k(-fix0_390180644) &+ z5
        let t0 = s7 &* k(fix0_298631336) &+ o1 &+ o3
        let t1 = s5 &* k(fix2_053119869) &+ o2 &+ o4
        let t2 = s3 &* k(fix3_072711026) &+ o2 &+ o3
        let t3 = s1 &* k(fix1_501321110) &+ o1 &+ o4
        let round = Lanes(repeating: 1 &<< (shift - 1))
        @inline(__always) func descale(_ x: Lanes) -> Lanes { (x &+ round) &>> Lanes(repeating: shift) }
        return (descale(tmp10 &+ t3), descale(tmp11 &+ t2), descale(tmp12 &+ t1), descale(tmp13 &+ t0),
                descale(tmp13 &- t0), descale(tmp12 &- t1), descale(tmp11 &- t2), descale(tmp10 &- t3))
    }
}
