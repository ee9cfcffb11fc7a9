import Foundation
import OctetData
import OctetTestSupport
import Testing

/// Writes `.cache/octet-written.rec` (+ `.idx` and the expected table) for Scripts/check-recordio-mxnet.sh,
/// which reads it back with MXNet's MXIndexedRecordIO and ImageRecordIter.
@Suite struct RecordIOMXNetTests {
    @Test func writeARecForMXNet() throws {
        let cache = Paths.root.appendingPathComponent(".cache").path
        guard FileManager.default.fileExists(atPath: cache) else {
            print("SKIPPED: no .cache folder to write octet-written.rec into")
            return
        }
        // dev8's images under new keys and ids, labels as they were, in reverse order.
        let dataset = try RecordIODataset(path: Paths.fixture("rec/dev8.rec").path)
        let reader = try dataset.makeReader()
        var samples: [Sample] = []
        while let item = try reader.next() { samples.append(try item.get()) }
        let rec = cache + "/octet-written.rec"
        let writer = try RecordIOWriter(path: rec)
        var entries: [RecordIOIndex.Entry] = []
        var expected = ""
        for (i, sample) in samples.reversed().enumerated() {
            guard case .encoded(let image) = sample.content else { continue }
            let key = UInt64(500 + 7 * i)
            let payload = IRHeader(labels: sample.labels, id: key, id2: 1).pack(image)
            entries.append(.init(key: key, offset: try writer.write(payload)))
            expected += "\(key)\t\(sample.labels.map { String(format: "%g", $0) }.joined(separator: ","))\t\(key)\t\(image.count)\t\(crc32(image))\n"
        }
        try writer.finish()
        try RecordIOIndex(entries: entries).write(to: cache + "/octet-written.idx")
        try Data(expected.utf8).write(to: URL(fileURLWithPath: cache + "/octet-written.expected.tsv"))
        // Read back by key: what the script will ask MXNet to do.
        let back = try IndexedRecordIOReader(recPath: rec, indexPath: cache + "/octet-written.idx")
        #expect(back.keys == entries.map(\.key))
        #expect(try IRHeader.unpack(try back.record(forKey: 500).payload).header.labels == samples.last?.labels)
    }
}
