/// Writes protobuf wire format: fields appended in the order the caller gives, so output is deterministic.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ field: Int, _ wireType: WireType) {
        writeVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// An int64, int32 or enum field (negative values take ten bytes, as protobuf specifies).
    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    mutating func int64(_ field: Int, _ value: Int) { int64(field, Int64(value)) }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        let bits = value.bitPattern
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
    }

    mutating func bytesField<C: Collection>(_ field: Int, _ value: C) where C.Element == UInt8 {
        key(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ message: ProtobufWriter) { bytesField(field, message.bytes) }

    /// A repeated int64 field, packed (the default for proto3 scalars; proto2 readers accept it too).
    mutating func packedInt64s(_ field: Int, _ values: [Int64]) {
        var body = ProtobufWriter()
        for v in values { body.writeVarint(UInt64(bitPattern: v)) }
        bytesField(field, body.bytes)
    }

    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var body = ProtobufWriter()
        body.bytes.reserveCapacity(values.count * 4)
        for v in values {
            let bits = v.bitPattern
            for i in 0..<4 { body.bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
        }
        bytesField(field, body.bytes)
    }
}
