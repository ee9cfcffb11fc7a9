import Foundation
import OctetData
import OctetTestSupport
import Testing

/// Hostile files from Scripts/make-corrupt-rec.py: each must give a DataError naming the record and the
/// byte offset, after reading the good records before it.
@Suite struct RecordIOCorruptTests {
    struct Case: CustomStringConvertible, Sendable {
        var file: String, goodRecords: Int, message: String
        var description: String { file }
    }

    static let recCases: [Case] = [
        Case(file: "truncated", goodRecords: 1, message: "record 1 at byte 25308: length 39582 runs past the end"),
        Case(file: "truncated-header", goodRecords: 2, message: "record 2 at byte 84: truncated header (5 bytes left"),
        Case(file: "bad-magic", goodRecords: 2, message: "record 2 at byte 104: bad magic 0xCED7230B"),
        Case(file: "past-eof", goodRecords: 2, message: "record 2 at byte 84: length 5000 runs past the end"),
        Case(file: "huge-length", goodRecords: 2, message: "record 2 at byte 84: length 536870911 is over the 64 MiB"),
        Case(file: "continuation-first", goodRecords: 2, message: "record 2 at byte 84: continuation part (cflag 2) without a start"),
        Case(file: "restart-inside-split", goodRecords: 2, message: "record 2 at byte 96: cflag 0 inside a split record that started at byte 84"),
        Case(file: "unfinished-split", goodRecords: 2, message: "record 2 at byte 108: the file ends inside a split record"),
    ]

    @Test("a broken .rec gives a clear error", arguments: recCases)
    func brokenRec(_ c: Case) throws {
        let reader = try RecordIOReader(path: Paths.fixture("corrupt/rec/\(c.file).rec").path)
        var good = 0
        do {
            while try reader.next() != nil { good += 1 }
            Issue.record("\(c.file): no error")
        } catch {
            #expect(error.message.contains(c.message), "\(error.message)")
        }
        #expect(good == c.goodRecords)
    }

    static let idxCases: [Case] = [
        Case(file: "not-a-number", goodRecords: 0, message: "line 2: key 'five' is not a non-negative integer"),
        Case(file: "missing-tab", goodRecords: 0, message: "line 2: expected 'key<TAB>offset', found 1 field(s)"),
        Case(file: "duplicate-key", goodRecords: 0, message: "line 3: key 0 appears twice"),
        Case(file: "past-end", goodRecords: 0, message: "index key 1: offset 4000 is past the end of the .rec (84 bytes)"),
        Case(file: "negative-offset", goodRecords: 0, message: "line 2: offset '-40' is not a non-negative integer"),
    ]

    @Test("a broken .idx gives a clear error", arguments: idxCases)
    func brokenIndex(_ c: Case) {
        do {
            _ = try IndexedRecordIOReader(recPath: Paths.fixture("corrupt/rec/good.rec").path,
                                          indexPath: Paths.fixture("corrupt/rec/\(c.file).idx").path)
            Issue.record("\(c.file): no error")
        } catch {
            #expect(error.message.contains(c.message), "\(error.message)")
        }
    }

    @Test func indexPointingInsideARecord() throws {
        let reader = try IndexedRecordIOReader(recPath: Paths.fixture("corrupt/rec/good.rec").path,
                                               indexPath: Paths.fixture("corrupt/rec/mid-record.idx").path)
        #expect(try reader.record(forKey: 0).payload.count == 32)
        #expect { try reader.record(forKey: 1) } throws: { error in
            (error as? DataError)?.message.hasPrefix("index key 1 points at byte 20: record 1 at byte 20: bad magic") == true
        }
    }

    @Test func badImageHeadersAreRecordErrors() throws {
        let reader = try RecordIOReader(path: Paths.fixture("corrupt/rec/bad-image-header.rec").path)
        var messages: [String] = []
        while let r = try reader.next() {
            do { _ = try IRHeader.unpack(r.payload) } catch { messages.append("\(r.number): \(error.message)") }
        }
        #expect(messages == [
            "1: payload of 5 bytes is shorter than the 24-byte image header",
            "2: image header says 1000 extra labels (4000 bytes), only 3 bytes follow",
        ])
    }

    @Test func missingAndDirectoryPaths() {
        #expect(throws: DataError("no such file")) { try RecordIOReader(path: "/nonexistent/x.rec") }
        #expect(throws: DataError("is a directory, not a file")) { try RecordIOReader(path: Paths.fixture("rec").path) }
    }
}
