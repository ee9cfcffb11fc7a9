/// CRC-32 as zip computes it (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF).
///
/// Worked value: the CRC-32 of the ASCII bytes "123456789" is 0xCBF43926.
enum CRC32 {
    /// Eight tables of 256 entries: table k maps a byte k positions back, so the loop eats 8 bytes a step.
    /// Stored flat: entry `k * 256 + n`.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = t[Int(previous & 0xff)] ^ (previous >> 8)
            }
        }
        return t
    }()

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        tables.withUnsafeBufferPointer { t in
            bytes.withUnsafeBufferPointer { p in
                var i = 0
                let n = p.count
                while i + 8 <= n {
                    let lo = crc ^ (UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24)
                    crc = t[7 * 256 + Int(lo & 0xff)] ^ t[6 * 256 + Int((lo >> 8) & 0xff)]
                        ^ t[5 * 256 + Int((lo >> 16) & 0xff)] ^ t[4 * 256 + Int(lo >> 24)]
                        ^ t[3 * 256 + Int(p[i + 4])] ^ t[2 * 256 + Int(p[i + 5])]
                        ^ t[1 * 256 + Int(p[i + 6])] ^ t[Int(p[i + 7])]
                    i += 8
                }
                while i < n {
                    crc = t[Int((crc ^ UInt32(p[i])) & 0xff)] ^ (crc >> 8)
                    i += 1
                }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
