/// A Huffman table as DHT defines it: how many codes of each length 1...16, and the symbols in code order.
struct HuffmanSpec: Sendable {
    var counts: [UInt8]  // 16 entries: codes of length 1...16
    var symbols: [UInt8]

    /// Canonical codes (T.81 Annex C): lengths and codes per symbol position, or nil when the counts
    /// overflow the code space.
    func canonicalCodes() -> (lengths: [Int], codes: [UInt32])? {
        var lengths: [Int] = [], codes: [UInt32] = []
        var code: UInt32 = 0
        for length in 1...16 {
            for _ in 0..<Int(counts[length - 1]) {
                lengths.append(length)
                codes.append(code)
                code += 1
            }
            // As libjpeg: codes must stay below 2^length, so the all-ones code of every length is unused.
            if code >= (1 << UInt32(length)) { return nil }
            code <<= 1
        }
        return (lengths, codes)
    }
}

/// A decoding table: a 9-bit lookahead for short codes and per-length limits for the rest
/// (T.81 F.2.2.3), in memory owned by the table so hot loops read it through pointers.
final class HuffmanDecodingTable {
    static let lookaheadBits = 9
    /// `(length << 8) | symbol` for codes of at most 9 bits, indexed by the next 9 bits; 0 = longer code.
    let lookup: UnsafeMutablePointer<UInt16>
    /// Largest code of each length 0...17 (-1 when none); index 17 is a sentinel that always matches.
    let maxCode: UnsafeMutablePointer<Int32>
    /// Symbol index of code c of length l is `c + valueOffset[l]`.
    let valueOffset: UnsafeMutablePointer<Int32>
    let symbols: UnsafeMutablePointer<UInt8>
    /// For AC tables: a code and its magnitude bits that fit in 9 bits together, decoded at once
    /// as `value << 16 | run << 8 | total length`; 0 = take the slow path.
    let fastAC: UnsafeMutablePointer<Int32>

    /// Builds the table; nil when the counts describe more codes than fit.
    init?(_ spec: HuffmanSpec) {
        guard spec.counts.count == 16, spec.symbols.count <= 256,
              spec.counts.reduce(0, { $0 + Int($1) }) == spec.symbols.count,
              let (lengths, codes) = spec.canonicalCodes() else { return nil }
        lookup = .allocate(capacity: 1 << Self.lookaheadBits)
        lookup.initialize(repeating: 0, count: 1 << Self.lookaheadBits)
        maxCode = .allocate(capacity: 18)
        maxCode.initialize(repeating: -1, count: 18)
        valueOffset = .allocate(capacity: 18)
        valueOffset.initialize(repeating: 0, count: 18)
        symbols = .allocate(capacity: 256)
        symbols.initialize(repeating: 0, count: 256)
        for (i, s) in spec.symbols.enumerated() { symbols[i] = s }
        var index = 0
        for length in 1...16 {
            let n = Int(spec.counts[length - 1])
            if n > 0 {
                valueOffset[length] = Int32(index) - Int32(codes[index])
                maxCode[length] = Int32(codes[index + n - 1])
            }
            index += n
        }
        maxCode[17] = Int32.max
        fastAC = .allocate(capacity: 1 << Self.lookaheadBits)
        fastAC.initialize(repeating: 0, count: 1 << Self.lookaheadBits)
        for i in 0..<lengths.count where lengths[i] <= Self.lookaheadBits {
            let shift = Self.lookaheadBits - lengths[i]
            let base = Int(codes[i]) << shift
            let entry = UInt16(lengths[i] << 8) | UInt16(spec.symbols[i])
            let run = Int(spec.symbols[i] >> 4), size = Int(spec.symbols[i] & 15)
            for j in 0..<(1 << shift) {
                lookup[base + j] = entry
                guard size != 0, lengths[i] + size <= Self.lookaheadBits else { continue }
                // The magnitude bits follow the code: j's top `size` bits, sign-extended per F.2.2.1.
                let bits = j >> (shift - size)
                let value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits
                fastAC[base + j] = Int32(value << 16 | run << 8 | (lengths[i] + size))
            }
        }
    }

    deinit {
        lookup.deallocate()
        maxCode.deallocate()
        valueOffset.deallocate()
        symbols.deallocate()
        fastAC.deallocate()
    }
}
