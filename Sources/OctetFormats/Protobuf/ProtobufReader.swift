/// The protobuf wire types this reader understands (groups, types 3 and 4, are refused).
enum WireType: UInt8, Sendable {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
}

/// Reads protobuf wire format from a byte buffer, one field at a time.
///
/// The buffer is shared by value (copy-on-write), so a nested message is a reader over a sub-range with no
/// copy. Every length is checked against the bytes that remain, and every error names the byte offset.
struct ProtobufReader {
    /// Nested messages deeper than this are refused: a hostile file cannot recurse without bound.
    static let maxDepth = 64

    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int
    let depth: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
        self.depth = 0
    }

    private init(bytes: [UInt8], range: Range<Int>, depth: Int) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
        self.depth = depth
    }

    var isAtEnd: Bool { offset >= end }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, wireType: WireType)? {
        guard offset < end else { return nil }
        let at = offset
        let key = try readVarint()
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else {
            throw FormatError("invalid protobuf field number \(number) at byte \(at)")
        }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw FormatError("unsupported protobuf wire type \(key & 7) for field \(number) at byte \(at)")
        }
        return (Int(number), wireType)
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            guard offset < end else { throw FormatError("truncated varint at byte \(start)") }
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw FormatError("varint longer than 64 bits at byte \(start)") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A varint read as a signed int64 (two's complement, as protobuf's int64 and int32 fields are).
    mutating func readInt64() throws -> Int64 { Int64(bitPattern: try readVarint()) }

    /// A varint field declared int32 or enum: values outside Int32 are an error (negative ones use 10 bytes).
    mutating func readInt32() throws -> Int32 {
        let at = offset
        let v = try readInt64()
        guard let narrow = Int32(exactly: v) else { throw FormatError("int32 value \(v) out of range at byte \(at)") }
        return narrow
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - offset >= 4 else { throw FormatError("truncated 32-bit value at byte \(offset)") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    mutating func readFixed64() throws -> UInt64 {
        guard end - offset >= 8 else { throw FormatError("truncated 64-bit value at byte \(offset)") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try readFixed32()) }
    mutating func readDouble() throws -> Double { Double(bitPattern: try readFixed64()) }

    /// The byte range of a length-delimited field, after checking the length against the remaining bytes.
    mutating func readLengthDelimitedRange() throws -> Range<Int> {
        let at = offset
        let length = try readVarint()
        guard length <= UInt64(end - offset) else {
            throw FormatError("length \(length) at byte \(at) runs past the end of its message (\(end - offset) bytes left)")
        }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }

    mutating func readBytes() throws -> ArraySlice<UInt8> { bytes[try readLengthDelimitedRange()] }

    mutating func readString() throws -> String {
        let at = offset
        let slice = try readBytes()
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw FormatError("string at byte \(at) is not valid UTF-8")
        }
        return s
    }

    /// A reader over a nested message, one level deeper.
    mutating func readMessage() throws -> ProtobufReader {
        let at = offset
        guard depth < Self.maxDepth else {
            throw FormatError("messages nested deeper than \(Self.maxDepth) levels at byte \(at)")
        }
        let range = try readLengthDelimitedRange()
        return ProtobufReader(bytes: bytes, range: range, depth: depth + 1)
    }

    mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimitedRange()
        }
    }

    // Repeated scalar fields arrive packed (one length-delimited run) or one value per field; accept both.

    mutating func appendInt64s(_ wireType: WireType, to out: inout [Int64]) throws {
        if wireType == .lengthDelimited {
            var sub = try readMessage()
            while !sub.isAtEnd { out.append(try sub.readInt64()) }
        } else {
            try expect(wireType, .varint)
            out.append(try readInt64())
        }
    }

    mutating func appendUInt64s(_ wireType: WireType, to out: inout [UInt64]) throws {
        if wireType == .lengthDelimited {
            var sub = try readMessage()
            while !sub.isAtEnd { out.append(try sub.readVarint()) }
        } else {
            try expect(wireType, .varint)
            out.append(try readVarint())
        }
    }

    mutating func appendInt32s(_ wireType: WireType, to out: inout [Int32]) throws {
        if wireType == .lengthDelimited {
            var sub = try readMessage()
            while !sub.isAtEnd { out.append(try sub.readInt32()) }
        } else {
            try expect(wireType, .varint)
            out.append(try readInt32())
        }
    }

    mutating func appendFloats(_ wireType: WireType, to out: inout [Float]) throws {
        if wireType == .lengthDelimited {
            let at = offset
            let range = try readLengthDelimitedRange()
            guard range.count % 4 == 0 else { throw FormatError("packed floats at byte \(at) have \(range.count) bytes, not a multiple of 4") }
            out.reserveCapacity(out.count + range.count / 4)
            var i = range.lowerBound
            while i < range.upperBound {
                let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                out.append(Float(bitPattern: bits))
                i += 4
            }
        } else {
            try expect(wireType, .fixed32)
            out.append(try readFloat())
        }
    }

    mutating func appendDoubles(_ wireType: WireType, to out: inout [Double]) throws {
        if wireType == .lengthDelimited {
            let at = offset
            let range = try readLengthDelimitedRange()
            guard range.count % 8 == 0 else { throw FormatError("packed doubles at byte \(at) have \(range.count) bytes, not a multiple of 8") }
            var sub = ProtobufReader(bytes: bytes, range: range, depth: depth + 1)
            out.reserveCapacity(out.count + range.count / 8)
            while !sub.isAtEnd { out.append(try sub.readDouble()) }
        } else {
            try expect(wireType, .fixed64)
            out.append(try readDouble())
        }
    }

    /// Checks that a field arrived with the wire type its schema declares.
    func expect(_ actual: WireType, _ expected: WireType, field: Int? = nil) throws {
        guard actual == expected else {
            let name = field.map { "field \($0)" } ?? "field"
            throw FormatError("\(name) at byte \(offset) has wire type \(actual.rawValue), expected \(expected.rawValue)")
        }
    }
}

extension ProtobufReader {
    // Typed accessors: each checks the wire type its schema declares before reading.

    mutating func int64(_ wireType: WireType) throws -> Int64 {
        try expect(wireType, .varint)
        return try readInt64()
    }

    mutating func int32(_ wireType: WireType) throws -> Int32 {
        try expect(wireType, .varint)
        return try readInt32()
    }

    mutating func float(_ wireType: WireType) throws -> Float {
        try expect(wireType, .fixed32)
        return try readFloat()
    }

    mutating func string(_ wireType: WireType) throws -> String {
        try expect(wireType, .lengthDelimited)
        return try readString()
    }

    mutating func bytesField(_ wireType: WireType) throws -> ArraySlice<UInt8> {
        try expect(wireType, .lengthDelimited)
        return try readBytes()
    }

    mutating func message(_ wireType: WireType) throws -> ProtobufReader {
        try expect(wireType, .lengthDelimited)
        return try readMessage()
    }
}
