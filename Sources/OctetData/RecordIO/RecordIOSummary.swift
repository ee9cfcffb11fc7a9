import Foundation

/// What a `.rec` holds, from one streaming pass: for `octet inspect FILE.rec`.
public struct RecordIOSummary: Sendable, Equatable {
    public var records = 0
    /// Records the writer split because their payload held the magic.
    public var splitRecords = 0
    public var fileBytes: Int64 = 0
    public var largestPayload = 0
    /// Records whose payload is not an image record (shorter than its `IRHeader` says).
    public var badHeaders = 0
    /// How many records carry each label (the first label of each record).
    public var labelCounts: [Float: Int] = [:]
    /// Records with more than one label (`flag > 0`).
    public var multiLabelRecords = 0
    public var idRange: ClosedRange<UInt64>?
    /// The first few records: number, offset, labels, id and image bytes.
    public var firstRecords: [Entry] = []
    /// Index entries whose offset is not the start of a record (empty without an index).
    public var misplacedIndexKeys: [UInt64] = []
    /// Records the index has no entry for (0 without an index).
    public var unindexedRecords = 0

    public struct Entry: Sendable, Equatable {
        public var number: Int
        public var offset: Int64
        public var labels: [Float]
        public var id: UInt64
        public var imageBytes: Int
    }

    /// Reads the whole file once (one record in memory at a time), checking it against `index` if given.
    public init(path: String, index: RecordIOIndex? = nil, keepFirst: Int = 5) throws(DataError) {
        let reader = try RecordIOReader(path: path)
        fileBytes = reader.fileSize
        var starts = Set<Int64>()
        while let record = try reader.next() {
            records += 1
            starts.insert(record.offset)
            largestPayload = max(largestPayload, record.payload.count)
            if RecordIOWriter.parts(of: record.payload).count > 1 { splitRecords += 1 }
            guard let (header, image) = try? IRHeader.unpack(record.payload) else {
                badHeaders += 1
                continue
            }
            if let first = header.labels.first { labelCounts[first, default: 0] += 1 }
            if header.flag > 0 { multiLabelRecords += 1 }
            idRange = idRange.map { min($0.lowerBound, header.id)...max($0.upperBound, header.id) } ?? header.id...header.id
            if firstRecords.count < keepFirst {
                firstRecords.append(Entry(number: record.number, offset: record.offset, labels: header.labels,
                                          id: header.id, imageBytes: image.count))
            }
        }
        if let index {
            misplacedIndexKeys = index.entries.filter { !starts.contains($0.offset) }.map(\.key)
            unindexedRecords = starts.subtracting(index.entries.map(\.offset)).count
        }
    }
}
