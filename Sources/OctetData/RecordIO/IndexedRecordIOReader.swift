/// Random access to a `.rec` file by the keys of its `.idx`, as MXNet's `MXIndexedRecordIO`.
public final class IndexedRecordIOReader {
    public let index: RecordIOIndex
    private let reader: RecordIOReader

    /// Opens both files and checks that every offset lies inside the `.rec`.
    public init(recPath: String, indexPath: String) throws(DataError) {
        reader = try RecordIOReader(path: recPath)
        index = try RecordIOIndex.read(path: indexPath)
        for entry in index.entries where entry.offset >= reader.fileSize {
            throw DataError("index key \(entry.key): offset \(entry.offset) is past the end of the .rec "
                + "(\(reader.fileSize) bytes)")
        }
    }

    public var keys: [UInt64] { index.entries.map(\.key) }

    /// The record stored under `key`; its number is the key's position in the index.
    public func record(forKey key: UInt64) throws(DataError) -> RecordIORecord {
        guard let position = index.position(ofKey: key) else { throw DataError("no record with key \(key) in the index") }
        let offset = index.entries[position].offset
        do throws(DataError) {
            try reader.seek(toOffset: offset, number: position)
            guard let record = try reader.next() else { throw DataError("no record at byte \(offset)") }
            return record
        } catch {
            throw DataError("index key \(key) points at byte \(offset): \(error.message)")
        }
    }
}
