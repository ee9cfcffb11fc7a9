import Foundation

/// The images of an MXNet `.rec` file, in file order, with the labels and ids of their headers.
public struct RecordIODataset: Dataset {
    public let path: String
    /// The `.idx` beside the file, when there is one: it gives the count and keyed access.
    public let index: RecordIOIndex?

    /// Opens `path` and, when `indexPath` is nil, the `.idx` of the same name if it exists.
    public init(path: String, indexPath: String? = nil) throws(DataError) {
        self.path = path
        _ = try RecordIOReader(path: path)
        let idx = indexPath ?? ((path as NSString).deletingPathExtension + ".idx")
        if indexPath != nil || FileManager.default.fileExists(atPath: idx) {
            do {
                index = try RecordIOIndex.read(path: idx)
            } catch {
                throw DataError("\(idx): \(error.message)")
            }
        } else {
            index = nil
        }
    }

    public var source: String { path }
    public var count: Int? { index?.entries.count }

    public func makeReader() throws(DataError) -> any SampleReader {
        Reader(records: try RecordIOReader(path: path))
    }

    /// The sample stored under `key` in the `.idx`.
    public func sample(forKey key: UInt64) throws(DataError) -> Sample {
        guard let index, let position = index.position(ofKey: key) else { throw DataError("no record with key \(key)") }
        let reader = try RecordIOReader(path: path)
        let offset = index.entries[position].offset
        try reader.seek(toOffset: offset, number: position)
        guard let record = try reader.next() else { throw DataError("key \(key): no record at byte \(offset)") }
        return try Self.sample(record).get()
    }

    static func sample(_ record: RecordIORecord) -> Result<Sample, DataError> {
        let location = "record \(record.number) at byte \(record.offset)"
        do {
            let (header, image) = try IRHeader.unpack(record.payload)
            return .success(Sample(content: .encoded(Array(image)), labels: header.labels, id: header.id, location: location))
        } catch {
            return .failure(DataError("\(location): \(error.message)"))
        }
    }

    final class Reader: SampleReader {
        let records: RecordIOReader
        init(records: RecordIOReader) { self.records = records }

        func next() throws(DataError) -> Result<Sample, DataError>? {
            try records.next().map(RecordIODataset.sample)
        }
    }
}
