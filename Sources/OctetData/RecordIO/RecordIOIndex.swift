import Foundation

/// An MXNet `.idx` file: one `key<TAB>offset` line per record, keys unique, offsets into the `.rec`.
public struct RecordIOIndex: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: UInt64
        public var offset: Int64

        public init(key: UInt64, offset: Int64) {
            self.key = key
            self.offset = offset
        }
    }

    /// Entries in file order (for im2rec output, record order).
    public private(set) var entries: [Entry]
    private var positions: [UInt64: Int]

    /// An index of unique keys; a repeated key is an error.
    public init(entries: [Entry]) throws(DataError) {
        self.entries = []
        positions = [:]
        self.entries.reserveCapacity(entries.count)
        for entry in entries { try append(entry, line: nil) }
    }

    /// The most `.idx` bytes read: ~25 bytes a line, so room for tens of millions of records.
    public static let maxFileBytes = 1 << 30

    /// Reads and checks an `.idx` file; errors give the line number.
    public static func read(path: String) throws(DataError) -> RecordIOIndex {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else { throw DataError("cannot read the file") }
        guard size <= maxFileBytes else { throw DataError("\(size) bytes is over the \(maxFileBytes >> 20) MiB limit for an index") }
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError("cannot read the file") }
        return try parse([UInt8](data))
    }

    /// Parses `.idx` text as MXNet's `MXIndexedRecordIO` does (surrounding blanks ignored), but strictly.
    public static func parse(_ bytes: [UInt8]) throws(DataError) -> RecordIOIndex {
        var index = try RecordIOIndex(entries: [])
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let text = String(validating: line, as: UTF8.self) else {
                throw DataError("line \(lineNumber): not UTF-8 text")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2 else {
                throw DataError("line \(lineNumber): expected 'key<TAB>offset', found \(fields.count) field(s)")
            }
            guard let key = UInt64(fields[0]) else {
                throw DataError("line \(lineNumber): key '\(fields[0].prefix(40))' is not a non-negative integer")
            }
            guard let offset = Int64(fields[1]), offset >= 0 else {
                throw DataError("line \(lineNumber): offset '\(fields[1].prefix(40))' is not a non-negative integer")
            }
            try index.append(Entry(key: key, offset: offset), line: lineNumber)
        }
        return index
    }

    /// The offset of the record stored under `key`.
    public func offset(forKey key: UInt64) -> Int64? {
        positions[key].map { entries[$0].offset }
    }

    /// The position of `key` among the entries (its record number for im2rec output).
    public func position(ofKey key: UInt64) -> Int? { positions[key] }

    /// The file's text: `key\toffset\n` per entry, as MXNet writes it.
    public var text: String {
        entries.map { "\($0.key)\t\($0.offset)\n" }.joined()
    }

    public func write(to path: String) throws(DataError) {
        let file = try OutputFile(path: path)
        try file.write(Array(text.utf8))
        try file.commit()
    }

    private mutating func append(_ entry: Entry, line: Int?) throws(DataError) {
        if let previous = positions[entry.key] {
            let at = line.map { "line \($0): " } ?? ""
            throw DataError("\(at)key \(entry.key) appears twice (first as entry \(previous))")
        }
        positions[entry.key] = entries.count
        entries.append(entry)
    }

    public static func == (a: RecordIOIndex, b: RecordIOIndex) -> Bool { a.entries == b.entries }
}
