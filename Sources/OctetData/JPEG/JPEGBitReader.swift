/// Reads entropy-coded bits MSB first from a 64-bit buffer, undoing byte stuffing (FF 00 → FF).
/// At a marker or the end of the file it feeds zero bits, as libjpeg does, and counts them so the
/// scan can report data that ended too early instead of decoding past it.
struct JPEGBitReader {
    let data: UnsafeBufferPointer<UInt8>
    /// The next byte to read; at a marker it stays on the marker's first 0xFF.
    private(set) var position: Int
    private var bits: UInt64 = 0
    private var count = 0
    /// Zero bits appended after the scan's data ran out; consuming any of them means the data was short.
    private var paddedBits = 0
    private var stopped = false

    init(data: UnsafeBufferPointer<UInt8>, position: Int) {
        self.data = data
        self.position = position
    }

    /// True once a decoded symbol used bits beyond the end of the scan's data.
    var overran: Bool { count < paddedBits }

    /// Approximate byte offset of the next unread bit, for error messages.
    var offset: Int { max(0, position - (count - paddedBits) / 8) }

    @inline(__always)
    private mutating func refill() {
        while count <= 56 {
            var byte: UInt64 = 0
            if !stopped && position < data.count {
                let b = data[position]
                if b != 0xFF {
                    position += 1
                    byte = UInt64(b)
                } else {
                    var next = position + 1
                    while next < data.count && data[next] == 0xFF { next += 1 }
                    if next < data.count && data[next] == 0 {
                        position = next + 1
                        byte = 0xFF
                    } else {
                        stopped = true
                        paddedBits += 8
                    }
                }
            } else {
                stopped = true
                paddedBits += 8
            }
            bits |= byte << UInt64(56 - count)
            count += 8
        }
    }

    /// Decodes one Huffman symbol; an unassigned code is corrupt data.
    @inline(__always)
    mutating func decode(_ table: HuffmanDecodingTable) throws(DataError) -> Int {
        if count < 16 { refill() }
        let entry = table.lookup[Int(truncatingIfNeeded: bits &>> UInt64(64 - HuffmanDecodingTable.lookaheadBits))]
        if entry != 0 {
            let length = Int(entry &>> 8)
            bits = bits &<< UInt64(length)
            count -= length
            return Int(entry & 0xFF)
        }
        return try decodeLong(table)
    }

    /// A small AC coefficient decoded with its code in one step (see `fastAC`), or 0 when the next
    /// code needs the general path; consumes its bits only when it returns an entry.
    @inline(__always)
    mutating func decodeFastAC(_ table: HuffmanDecodingTable) -> Int32 {
        if count < 16 { refill() }
        let entry = table.fastAC[Int(truncatingIfNeeded: bits &>> UInt64(64 - HuffmanDecodingTable.lookaheadBits))]
        if entry != 0 {
            let length = Int(entry & 0xFF)
            bits = bits &<< UInt64(length)
            count -= length
        }
        return entry
    }

    private mutating func decodeLong(_ table: HuffmanDecodingTable) throws(DataError) -> Int {
        var length = HuffmanDecodingTable.lookaheadBits + 1
        while length <= 16 {
            let code = Int32(truncatingIfNeeded: bits &>> UInt64(64 - length))
            if code <= table.maxCode[length] {
                bits = bits &<< UInt64(length)
                count -= length
                return Int(table.symbols[Int(code + table.valueOffset[length]) & 0xFF])
            }
            length += 1
        }
        throw DataError("JPEG: invalid Huffman code in scan data near byte offset \(offset)")
    }

    /// The next `n` bits (1...16) as an unsigned value.
    @inline(__always)
    mutating func receive(_ n: Int) -> Int {
        if count < n { refill() }
        let value = Int(truncatingIfNeeded: bits &>> UInt64(64 - n))
        bits = bits &<< UInt64(n)
        count -= n
        return value
    }

    /// `n` bits (1...16) read as a T.81 F.2.2.1 magnitude category value ("receive" then "extend").
    @inline(__always)
    mutating func receiveExtend(_ n: Int) -> Int {
        let value = receive(n)
        return value < (1 &<< (n - 1)) ? value - (1 &<< n) + 1 : value
    }

    @inline(__always)
    mutating func bit() -> Int {
        if count < 1 { refill() }
        let value = Int(truncatingIfNeeded: bits &>> 63)
        bits = bits &<< 1
        count -= 1
        return value
    }

    /// Ends a restart interval: checks the data sufficed, then expects marker RSTn next.
    mutating func restart(expecting n: Int) throws(DataError) {
        if overran {
            throw DataError("JPEG: scan data ends early near byte offset \(offset) (truncated or corrupt restart interval)")
        }
        position = JPEGMarkers.nextMarker(in: data, from: position)
        let code = position + 1 < data.count ? Int(data[position + 1]) : -1
        guard code == 0xD0 + n else {
            let found = code < 0 ? "the end of the file" : "marker FF\(String(code, radix: 16, uppercase: true))"
            throw DataError("JPEG: expected restart marker RST\(n) at byte offset \(position), found \(found)")
        }
        position += 2
        bits = 0
        count = 0
        paddedBits = 0
        stopped = false
    }

    /// Ends a scan: checks the data sufficed and returns where the next marker starts.
    mutating func finish() throws(DataError) -> Int {
        if overran {
            throw DataError("JPEG: scan data ends early near byte offset \(offset) (truncated or corrupt file)")
        }
        return JPEGMarkers.nextMarker(in: data, from: position)
    }
}
