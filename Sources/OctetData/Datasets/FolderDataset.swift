import Foundation

/// Image files listed by an `ImageList` (class sub-folders, `labels.tsv`, `.lst`), read one at a time.
public struct FolderDataset: Dataset {
    public let list: ImageList

    public init(list: ImageList) {
        self.list = list
    }

    /// The list of a folder, `.lst` or `.tsv` (see `ImageList.load`).
    public init(path: String) throws(DataError) {
        list = try ImageList.load(path: path)
    }

    public var source: String { list.root }
    public var count: Int? { list.entries.count }

    public func makeReader() throws(DataError) -> any SampleReader { Reader(list: list) }

    /// The file's bytes, refusing files over the RecordIO record limit.
    static func read(_ path: String) throws(DataError) -> [UInt8] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        guard let size else { throw DataError("\(path): cannot read the file") }
        guard size <= RecordIO.maxRecordBytes else {
            throw DataError("\(path): \(size) bytes is over the \(RecordIO.maxRecordBytes >> 20) MiB image limit")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError("\(path): cannot read the file") }
        return [UInt8](data)
    }

    final class Reader: SampleReader {
        let list: ImageList
        var position = 0
        init(list: ImageList) { self.list = list }

        func next() throws(DataError) -> Result<Sample, DataError>? {
            guard position < list.entries.count else { return nil }
            let entry = list.entries[position]
            position += 1
            let path = list.fullPath(entry)
            do {
                let bytes = try FolderDataset.read(path)
                return .success(Sample(content: .encoded(bytes), labels: entry.labels, id: entry.index, location: path))
            } catch {
                return .failure(error)
            }
        }
    }
}
