// Hand-built protobuf bytes for tests, written independently of the reader under test.

struct WireBytes {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func int(_ field: Int, _ value: Int64) {
        varint(UInt64(field << 3))
        varint(UInt64(bitPattern: value))
    }

    mutating func lengthDelimited(_ field: Int, _ body: [UInt8]) {
        varint(UInt64(field << 3 | 2))
        varint(UInt64(body.count))
        bytes += body
    }

    mutating func string(_ field: Int, _ s: String) { lengthDelimited(field, Array(s.utf8)) }

    mutating func fixed32(_ field: Int, _ bits: UInt32) {
        varint(UInt64(field << 3 | 5))
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
    }

    mutating func fixed64(_ field: Int, _ bits: UInt64) {
        varint(UInt64(field << 3 | 1))
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    static func packedVarints(_ values: [Int64]) -> [UInt8] {
        var w = WireBytes()
        for v in values { w.varint(UInt64(bitPattern: v)) }
        return w.bytes
    }
}
