/// Writes a RecordIO file as dmlc-core's `RecordIOWriter` does, byte for byte.
///
/// The file appears under its name only after `finish()`; until then it is a hidden temporary beside it.
public final class RecordIOWriter {
    private let file: OutputFile

    public init(path: String) throws(DataError) {
        file = try OutputFile(path: path)
    }

    /// The byte offset the next record will start at (what `.idx` files store).
    public var offset: Int64 { file.written }

    /// Appends one record, split where the payload holds the magic at a 4-byte aligned position.
    /// Returns the offset the record starts at.
    @discardableResult
    public func write(_ payload: [UInt8]) throws(DataError) -> Int64 {
        let start = offset
        guard payload.count <= RecordIO.maxRecordBytes else {
            throw DataError("a record of \(payload.count) bytes is over the \(RecordIO.maxRecordBytes >> 20) MiB limit")
        }
        let parts = Self.parts(of: payload)
        for (index, part) in parts.enumerated() {
            let kind: RecordIO.Part = parts.count == 1 ? .whole
                : index == 0 ? .first : index == parts.count - 1 ? .last : .middle
            try writeWord(RecordIO.magic)
            try writeWord(RecordIO.lengthWord(kind, part.count))
            try file.write(payload[part])
            // Only the last part can have an unaligned length: splits fall on 4-byte boundaries.
            let padding = RecordIO.paddedLength(part.count) - part.count
            if padding > 0 { try file.write([UInt8](repeating: 0, count: padding)) }
        }
        return start
    }

    /// Flushes and moves the file into place.
    public func finish() throws(DataError) {
        try file.commit()
    }

    /// The payload ranges between aligned occurrences of the magic (which are left out).
    static func parts(of payload: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        let m = RecordIO.magicBytes
        payload.withUnsafeBufferPointer { p in
            var i = 0
            while i + 4 <= p.count {
                if p[i] == m[0], p[i + 1] == m[1], p[i + 2] == m[2], p[i + 3] == m[3] {
                    ranges.append(start..<i)
                    start = i + 4
                }
                i += 4
            }
        }
        ranges.append(start..<payload.count)
        return ranges
    }

    private func writeWord(_ value: UInt32) throws(DataError) {
        try file.write([UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)])
    }
}
