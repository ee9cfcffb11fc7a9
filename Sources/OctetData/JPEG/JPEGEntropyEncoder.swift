/// Huffman codes for one component class (T.81 F.1.2): DC differences by category, AC (run, size).
struct JPEGHuffmanEncoder {
    private var dcCodes = [(code: UInt32, length: Int)](repeating: (0, 0), count: 256)
    private var acCodes = [(code: UInt32, length: Int)](repeating: (0, 0), count: 256)

    init?(dc: HuffmanSpec, ac: HuffmanSpec) {
        guard let d = dc.canonicalCodes(), let a = ac.canonicalCodes() else { return nil }
        for (i, s) in dc.symbols.enumerated() { dcCodes[Int(s)] = (d.codes[i], d.lengths[i]) }
        for (i, s) in ac.symbols.enumerated() { acCodes[Int(s)] = (a.codes[i], a.lengths[i]) }
    }

    /// Magnitude category of v and its low bits (negative values as v - 1, T.81 F.1.2.1).
    @inline(__always)
    private func category(_ v: Int) -> (size: Int, bits: UInt32) {
        let magnitude = abs(v)
        let size = magnitude == 0 ? 0 : Int.bitWidth - magnitude.leadingZeroBitCount
        let bits = v < 0 ? UInt32(truncatingIfNeeded: v - 1) & ((1 << UInt32(size)) - 1) : UInt32(v)
        return (size, bits)
    }

    /// A block that only completes an edge MCU: the previous DC again (difference 0), then end of block.
    func encodeDummyBlock(writer: inout JPEGBitWriter) {
        writer.write(dcCodes[0].code, dcCodes[0].length)
        writer.write(acCodes[0].code, acCodes[0].length)
    }

    func encodeBlock(_ block: [Int], prediction: inout Int, writer: inout JPEGBitWriter) {
        let dc = category(block[0] - prediction)
        prediction = block[0]
        writer.write(dcCodes[dc.size].code, dcCodes[dc.size].length)
        if dc.size > 0 { writer.write(dc.bits, dc.size) }
        var run = 0
        for k in 1..<64 {
            let v = block[JPEGStandardTables.naturalOrder[k]]
            if v == 0 {
                run += 1
                continue
            }
            while run > 15 {
                writer.write(acCodes[0xF0].code, acCodes[0xF0].length)
                run -= 16
            }
            let ac = category(v)
            let symbol = run << 4 | ac.size
            writer.write(acCodes[symbol].code, acCodes[symbol].length)
            writer.write(ac.bits, ac.size)
            run = 0
        }
        if run > 0 { writer.write(acCodes[0].code, acCodes[0].length) }
    }
}

/// Packs codes MSB first and stuffs a 0x00 after every 0xFF byte.
struct JPEGBitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    @inline(__always)
    mutating func write(_ code: UInt32, _ length: Int) {
        buffer = buffer << UInt64(length) | UInt64(code & ((1 << UInt32(length)) &- 1))
        count += length
        while count >= 8 {
            count -= 8
            let byte = UInt8(truncatingIfNeeded: buffer >> UInt64(count))
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0) }
        }
    }

    /// Pads the last byte with 1 bits, as T.81 F.1.2.3 requires.
    mutating func finish() -> [UInt8] {
        if count > 0 { write((1 << UInt32(8 - count)) - 1, 8 - count) }
        return bytes
    }
}
