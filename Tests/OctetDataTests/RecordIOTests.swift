import Foundation
import OctetData
import OctetTestSupport
import Testing

@Suite struct RecordIOTests {
    static let fixtures = ["dev8", "magic", "imagenet-dev-32"]

    @Test("sequential reads give what MXNet reads", arguments: fixtures)
    func sequentialMatchesMXNet(name: String) throws {
        let table = try MXNetRecordTable(name)
        let reader = try RecordIOReader(path: Paths.fixture("rec/\(name).rec").path)
        var records: [RecordIORecord] = []
        while let r = try reader.next() { records.append(r) }
        try #require(records.count == table.rows.count)
        for (record, row) in zip(records, table.rows) {
            #expect(record.number == row.record)
            #expect(record.offset == row.offset)
            #expect(record.payload.count == row.payloadBytes)
            #expect(crc32(record.payload) == row.payloadCRC, "record \(row.record)")
            guard let labels = row.labels else { continue }
            let (header, image) = try IRHeader.unpack(record.payload)
            #expect(header.labels == labels)
            #expect(header.flag == row.flag && header.id == row.id && header.id2 == row.id2)
            #expect(image.count == row.imageBytes && crc32(image) == row.imageCRC)
        }
    }

    @Test("keyed reads through the .idx", arguments: fixtures)
    func keyedMatchesMXNet(name: String) throws {
        let table = try MXNetRecordTable(name)
        let reader = try IndexedRecordIOReader(recPath: Paths.fixture("rec/\(name).rec").path,
                                               indexPath: Paths.fixture("rec/\(name).idx").path)
        #expect(reader.keys == table.rows.map(\.key))
        for row in table.rows.reversed() {
            let record = try reader.record(forKey: row.key)
            #expect(record.number == row.record && record.offset == row.offset)
            #expect(crc32(record.payload) == row.payloadCRC)
        }
        #expect(throws: DataError.self) { try reader.record(forKey: 12345) }
    }

    /// Octet's writer reproduces MXNet's files byte for byte, splits of payloads holding the magic included.
    @Test("rewriting the payloads gives MXNet's bytes", arguments: fixtures)
    func writerMatchesMXNet(name: String) throws {
        let source = Paths.fixture("rec/\(name)")
        let reader = try RecordIOReader(path: source.path + ".rec")
        let out = temporaryPath("\(name).rec")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let writer = try RecordIOWriter(path: out)
        var entries: [RecordIOIndex.Entry] = []
        let keys = try RecordIOIndex.read(path: source.path + ".idx").entries.map(\.key)
        while let r = try reader.next() {
            entries.append(.init(key: keys[r.number], offset: try writer.write(r.payload)))
        }
        #expect(!FileManager.default.fileExists(atPath: out), "the file appears only when finished")
        try writer.finish()
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: source.path + ".rec")))
        let index = try RecordIOIndex(entries: entries)
        #expect(index.text == (try String(contentsOf: URL(fileURLWithPath: source.path + ".idx"), encoding: .utf8)))
    }

    @Test("writer splits at aligned magic only", arguments: [
        ([0x0A, 0x23, 0xD7, 0xCE, 5] as [UInt8], 2),
        ([5, 6, 7, 8, 0x0A, 0x23, 0xD7, 0xCE], 2),
        ([5, 6, 0x0A, 0x23, 0xD7, 0xCE, 7, 8], 1),
        ([0x0A, 0x23, 0xD7, 0xCE, 0x0A, 0x23, 0xD7, 0xCE], 3),
        ([], 1),
    ])
    func roundTrip(payload: [UInt8], parts: Int) throws {
        let path = temporaryPath("split.rec")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try RecordIOWriter(path: path)
        try writer.write(payload)
        try writer.write([1, 2, 3])
        try writer.finish()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let magicWords = stride(from: 0, to: bytes.count, by: 4).filter {
            bytes[$0..<($0 + 4)].elementsEqual([0x0A, 0x23, 0xD7, 0xCE])
        }
        // The headers of `parts` parts, then the one of [1, 2, 3]; aligned magic inside payloads is gone.
        #expect(magicWords.count == parts + 1)
        let reader = try RecordIOReader(path: path)
        #expect(try reader.next()?.payload == payload)
        #expect(try reader.next()?.payload == [1, 2, 3])
        #expect(try reader.next() == nil)
    }

    @Test func imageHeaderRoundTrip() throws {
        let one = IRHeader(label: 42, id: 7, id2: 1 << 40)
        let (back, image) = try IRHeader.unpack(one.pack([9, 8, 7]))
        #expect(back == one && Array(image) == [9, 8, 7])
        let many = IRHeader(labels: [1, 2, 3], id: 5)
        let (back2, image2) = try IRHeader.unpack(many.pack([]))
        #expect(back2.flag == 3 && back2.labels == [1, 2, 3] && back2.label == 0 && image2.isEmpty)
    }

    @Test func indexRoundTripAndLookups() throws {
        let index = try RecordIOIndex.parse(Array("3\t0\n  9\t128 \n\n1\t64\n".utf8))
        #expect(index.entries.map(\.key) == [3, 9, 1])
        #expect(index.offset(forKey: 9) == 128 && index.offset(forKey: 2) == nil)
        #expect(index.text == "3\t0\n9\t128\n1\t64\n")
    }
}

@Suite struct RecordIOSummaryTests {
    @Test func summaryOfTheBundledSet() throws {
        let table = try MXNetRecordTable("imagenet-dev-32")
        let path = Paths.fixture("rec/imagenet-dev-32").path
        let summary = try RecordIOSummary(path: path + ".rec", index: RecordIOIndex.read(path: path + ".idx"))
        #expect(summary.records == 32 && summary.badHeaders == 0 && summary.multiLabelRecords == 0)
        #expect(summary.labelCounts.count == Set(table.rows.compactMap { $0.labels?.first }).count)
        #expect(summary.idRange == table.rows.compactMap(\.id).min()!...table.rows.compactMap(\.id).max()!)
        #expect(summary.firstRecords.map(\.offset) == table.rows.prefix(5).map(\.offset))
        #expect(summary.misplacedIndexKeys.isEmpty && summary.unindexedRecords == 0)
    }

    @Test func summaryCountsSplitsAndBadIndexEntries() throws {
        let summary = try RecordIOSummary(path: Paths.fixture("rec/magic.rec").path)
        #expect(summary.records == 7 && summary.splitRecords == 5 && summary.badHeaders == 4 && summary.multiLabelRecords == 1)
        let index = try RecordIOIndex.parse(Array("0\t0\n1\t20\n".utf8))
        let checked = try RecordIOSummary(path: Paths.fixture("corrupt/rec/good.rec").path, index: index)
        #expect(checked.misplacedIndexKeys == [1] && checked.unindexedRecords == 1)
    }
}
