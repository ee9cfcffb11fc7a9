import Foundation
import Octet
import OctetData

/// `octet inspect FILE.rec`: what a RecordIO file holds.
enum RecordSummaryPrinter {
    /// Prints the summary, then throws (exit status 1) when records or index entries are broken, so
    /// scripts can validate a pack with `octet inspect`.
    static func print(_ path: String) throws {
        let idxPath = String(path.dropLast(4)) + ".idx"
        let s: RecordIOSummary
        do {
            let index = FileManager.default.fileExists(atPath: idxPath) ? try RecordIOIndex.read(path: idxPath) : nil
            s = try RecordIOSummary(path: path, index: index)
            var lines = ["\(path): \(s.records) records (\(s.splitRecords) split), "
                + String(format: "%.2f MB", Double(s.fileBytes) / 1_000_000)
                + (index.map { ", index \(idxPath) with \($0.entries.count) keys" } ?? ", no .idx")]
            if let ids = s.idRange { lines.append("ids: \(ids.lowerBound)...\(ids.upperBound)") }
            let labels = s.labelCounts.sorted { $0.key < $1.key }
            lines.append("labels: \(labels.count) distinct" + (s.multiLabelRecords > 0 ? ", \(s.multiLabelRecords) multi-label records" : ""))
            let shown = labels.prefix(10).map { "\(format($0.key)) x\($0.value)" }.joined(separator: ", ")
            if !shown.isEmpty { lines.append("  " + shown + (labels.count > 10 ? ", ..." : "")) }
            lines.append("largest image: \(s.largestPayload) bytes")
            if s.badHeaders > 0 { lines.append("bad headers: \(s.badHeaders)") }
            if !s.misplacedIndexKeys.isEmpty {
                lines.append("index keys pointing at no record: \(s.misplacedIndexKeys.prefix(5).map(String.init).joined(separator: ", "))")
            }
            if s.unindexedRecords > 0 { lines.append("records missing from the index: \(s.unindexedRecords)") }
            lines.append("first records:")
            for e in s.firstRecords {
                lines.append("  #\(e.number) at byte \(e.offset): id \(e.id), label \(e.labels.map(format).joined(separator: ",")), "
                    + "image \(e.imageBytes) bytes")
            }
            Swift.print(lines.joined(separator: "\n"))
        } catch {
            throw InputError(path, error)
        }
        var problems: [String] = []
        if s.badHeaders > 0 { problems.append("\(s.badHeaders) record\(s.badHeaders == 1 ? "" : "s") with a bad header") }
        if !s.misplacedIndexKeys.isEmpty {
            problems.append("\(s.misplacedIndexKeys.count) index key\(s.misplacedIndexKeys.count == 1 ? "" : "s") pointing at no record")
        }
        if s.unindexedRecords > 0 { problems.append("\(s.unindexedRecords) record\(s.unindexedRecords == 1 ? "" : "s") missing from the index") }
        if !problems.isEmpty { throw InputError(path, "damaged: " + problems.joined(separator: ", ")) }
    }

    private static func format(_ v: Float) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
