import Foundation
import OctetData
import OctetTestSupport
import Testing

@Suite struct RecordPackerTests {
    /// The eight photos MXNet's im2rec packed into dev8.rec, bundled beside it.
    static var photos: String { Paths.fixture("photos").path }

    /// dev8.lst's paths are relative to the photo folder, as im2rec's ROOT argument.
    static func dev8List() throws -> ImageList {
        var list = try ImageList.load(path: Paths.fixture("rec/dev8.lst").path)
        list.root = photos
        return list
    }

    @Test func passThroughStoresTheFilesWithLstHeaders() throws {
        let list = try Self.dev8List()
        let out = temporaryPath("pass.rec"), idx = (out as NSString).deletingPathExtension + ".idx"
        defer { for p in [out, idx] { try? FileManager.default.removeItem(atPath: p) } }
        var ticks: [Int] = []
        let report = try RecordPacker(encoding: .passThrough, threads: 2).pack(list, to: out) { done, total in
            #expect(total == 8)
            ticks.append(done)
        }
        #expect(report.records == 8 && report.skipped.isEmpty && ticks.last == 8)
        let reader = try IndexedRecordIOReader(recPath: out, indexPath: idx)
        #expect(reader.keys == list.entries.map(\.index))
        for entry in list.entries {
            let (header, image) = try IRHeader.unpack(try reader.record(forKey: entry.index).payload)
            #expect(header.labels == entry.labels && header.id == entry.index && header.flag == 0)
            let file = try Data(contentsOf: URL(fileURLWithPath: list.fullPath(entry)))
            #expect(Data(image) == file)
        }
    }

    @Test func missingImagesStopOrAreSkipped() throws {
        let list = ImageList(root: "/nonexistent", entries: [.init(index: 3, labels: [1], path: "gone.jpg")])
        let out = temporaryPath("missing.rec")
        defer { for p in [out, (out as NSString).deletingPathExtension + ".idx"] { try? FileManager.default.removeItem(atPath: p) } }
        #expect(throws: DataError("/nonexistent/gone.jpg: cannot read the file")) {
            try RecordPacker(encoding: .passThrough).pack(list, to: out)
        }
        #expect(!FileManager.default.fileExists(atPath: out), "no partly written output")
        let report = try RecordPacker(encoding: .passThrough, skipBad: true).pack(list, to: out)
        #expect(report.records == 0 && report.skipped == ["/nonexistent/gone.jpg: cannot read the file"])
    }

    /// Decode, resize the shorter side to 256, re-encode: the records decode to im2rec's geometry.
    @Test func reencodeResizesTheShorterSide() throws {
        let list = try Self.dev8List()
        let out = temporaryPath("resized.rec")
        defer { for p in [out, (out as NSString).deletingPathExtension + ".idx"] { try? FileManager.default.removeItem(atPath: p) } }
        let report = try RecordPacker(encoding: .reencode(resize: 256, quality: 90)).pack(list, to: out)
        #expect(report.records == 8)
        let ours = try RecordIOReader(path: out)
        let theirs = try RecordIOReader(path: Paths.fixture("rec/dev8.rec").path)
        while let a = try ours.next(), let b = try theirs.next() {
            let (ha, ia) = try IRHeader.unpack(a.payload)
            let (hb, ib) = try IRHeader.unpack(b.payload)
            #expect(ha == hb)
            let x = try JPEG.decode(Array(ia)), y = try JPEG.decode(Array(ib))
            #expect(x.width == y.width && x.height == y.height, "record \(a.number)")
        }
    }
}
