/// One record of a `.rec` file: its payload with split parts joined, its number and where it starts.
public struct RecordIORecord: Sendable, Equatable {
    public var payload: [UInt8]
    /// 0-based position of the record in the file (or in the index, after a keyed read).
    public var number: Int
    /// Byte offset of the record's first header.
    public var offset: Int64

    public init(payload: [UInt8], number: Int, offset: Int64) {
        self.payload = payload
        self.number = number
        self.offset = offset
    }
}

/// Reads a RecordIO file record by record, as dmlc-core's `RecordIOReader`, holding one record in memory.
///
/// Errors name the record number and the byte offset of the header at fault.
public final class RecordIOReader {
    public var fileSize: Int64 { file.size }
    /// The number the next record gets.
    public private(set) var nextNumber = 0
    private let file: BufferedFileReader

    public init(path: String) throws(DataError) {
        file = try BufferedFileReader(path: path)
    }

    /// Moves to the record that starts at `offset`; `number` is what that record will be called.
    public func seek(toOffset offset: Int64, number: Int) throws(DataError) {
        guard offset >= 0, offset < fileSize else {
            throw DataError("record \(number): offset \(offset) is outside the file (\(fileSize) bytes)")
        }
        try file.seek(to: offset)
        nextNumber = number
    }

    /// The next record, or nil at the end of the file.
    public func next() throws(DataError) -> RecordIORecord? {
        let number = nextNumber
        let start = file.offset
        if file.remaining == 0 { return nil }
        var payload: [UInt8] = []
        var first = true
        while true {
            let at = file.offset
            func fail(_ what: String) -> DataError { DataError("record \(number) at byte \(at): \(what)") }
            guard file.remaining >= 8, let word = try file.readUInt32(), let lrec = try file.readUInt32() else {
                let left = file.remaining
                throw fail(first ? "truncated header (\(left) bytes left, a header is 8)"
                    : "the file ends inside a split record (\(left) bytes left)")
            }
            guard word == RecordIO.magic else {
                throw fail("bad magic \(RecordIO.hex(word)), expected \(RecordIO.hex(RecordIO.magic))")
            }
            let cflag = lrec >> 29
            let length = Int(lrec & UInt32(RecordIO.maxPartLength))
            guard let part = RecordIO.Part(rawValue: cflag) else { throw fail("cflag \(cflag) is not 0...3") }
            switch (first, part) {
            case (true, .whole), (true, .first), (false, .middle), (false, .last): break
            case (true, .middle), (true, .last):
                throw fail("continuation part (cflag \(cflag)) without a start (cflag 1)")
            case (false, .whole), (false, .first):
                throw fail("cflag \(cflag) inside a split record that started at byte \(start); "
                    + "expected a continuation (cflag 2 or 3)")
            }
            guard payload.count + length <= RecordIO.maxRecordBytes else {
                throw fail("length \(payload.count + length) is over the \(RecordIO.maxRecordBytes >> 20) MiB "
                    + "record limit")
            }
            let padded = RecordIO.paddedLength(length)
            guard Int64(padded) <= file.remaining else {
                throw fail("length \(length) runs past the end of the file (\(file.remaining) bytes left)")
            }
            if first { payload.reserveCapacity(length) }
            guard try file.read(length, into: &payload) == length else { throw fail("short read") }
            try file.skip(padded - length)
            first = false
            if part == .whole || part == .last { break }
            payload.append(contentsOf: RecordIO.magicBytes)
        }
        nextNumber += 1
        return RecordIORecord(payload: payload, number: number, offset: start)
    }
}
