/// Finding markers and bounding marker segments in a JPEG byte stream (T.81 B.1.1).
enum JPEGMarkers {
    /// The offset of the next marker's 0xFF at or after `start` (fill bytes and stuffed FF 00 skipped),
    /// or `data.count` when there is none.
    static func nextMarker(in data: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = max(0, start)
        while i + 1 < data.count {
            if data[i] == 0xFF {
                let next = data[i + 1]
                if next != 0 && next != 0xFF { return i }
                i += next == 0 ? 2 : 1
            } else {
                i += 1
            }
        }
        return data.count
    }

    /// The payload (after the 2-byte length) of the segment whose marker starts at `offset`, after
    /// checking that its length is sane and lies inside the file.
    static func segment(in data: UnsafeBufferPointer<UInt8>, at offset: Int) throws(DataError) -> Range<Int> {
        let name = self.name(Int(data[offset + 1]))
        guard offset + 4 <= data.count else {
            throw DataError("JPEG: \(name) marker at byte offset \(offset): the file ends inside its length field")
        }
        let length = Int(data[offset + 2]) << 8 | Int(data[offset + 3])
        guard length >= 2 else {
            throw DataError("JPEG: \(name) marker at byte offset \(offset): length \(length) is less than 2")
        }
        guard offset + 2 + length <= data.count else {
            throw DataError("JPEG: \(name) marker at byte offset \(offset): length \(length) runs past the end of the file (\(data.count) bytes)")
        }
        return (offset + 4)..<(offset + 2 + length)
    }

    static func name(_ code: Int) -> String {
        switch code {
        case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF: return "SOF\(code - 0xC0)"
        case 0xC4: return "DHT"
        case 0xCC: return "DAC"
        case 0xD0...0xD7: return "RST\(code - 0xD0)"
        case 0xD8: return "SOI"
        case 0xD9: return "EOI"
        case 0xDA: return "SOS"
        case 0xDB: return "DQT"
        case 0xDC: return "DNL"
        case 0xDD: return "DRI"
        case 0xE0...0xEF: return "APP\(code - 0xE0)"
        case 0xFE: return "COM"
        default: return "FF" + String(code, radix: 16, uppercase: true)
        }
    }

    @inline(__always)
    static func u16(_ data: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int { Int(data[i]) << 8 | Int(data[i + 1]) }
}
