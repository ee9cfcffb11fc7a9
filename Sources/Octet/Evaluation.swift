import Foundation
import OctetIR

/// Top-1/top-5 against labels and top-1 agreement with a reference model, accumulated over batches.
public struct Evaluation: Sendable {
    public init() {}

    public private(set) var images = 0
    public private(set) var labelled = 0
    public private(set) var top1 = 0
    public private(set) var top5 = 0
    public private(set) var compared = 0
    public private(set) var agreed = 0
    /// Images whose logits equal the reference's bit for bit (the same model on another target).
    public private(set) var identical = 0
    /// The largest |logit - reference logit| seen.
    public private(set) var maxDifference: Float = 0

    /// Adds one batch of logits `[N, classes]` (and the reference model's, when comparing).
    public mutating func add(logits: Tensor, labels: [Int?], reference: Tensor? = nil) {
        let n = logits.shape.first ?? 0
        guard n > 0 else { return }
        let classes = logits.count / n
        let values = logits.floatValues()
        let refValues = reference?.floatValues()
        for i in 0..<n {
            let row = values[(i * classes)..<((i + 1) * classes)]
            let ranked = Self.topK(row, k: 5)
            images += 1
            if i < labels.count, let label = labels[i] {
                labelled += 1
                if ranked.first == label { top1 += 1 }
                if ranked.contains(label) { top5 += 1 }
            }
            if let refValues, refValues.count == values.count {
                compared += 1
                let refRow = refValues[(i * classes)..<((i + 1) * classes)]
                if Self.topK(refRow, k: 1).first == ranked.first { agreed += 1 }
                if zip(row, refRow).allSatisfy({ $0.bitPattern == $1.bitPattern }) { identical += 1 }
                for (a, b) in zip(row, refRow) { maxDifference = max(maxDifference, abs(a - b)) }
            }
        }
    }

    /// Indices of the k largest values, ties to the lower index (numpy's stable argsort of -x).
    public static func topK(_ row: ArraySlice<Float>, k: Int) -> [Int] {
        let base = row.startIndex
        return row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(k).map { $0 - base }
    }

    public var top1Percent: Double? { labelled > 0 ? 100 * Double(top1) / Double(labelled) : nil }
    public var top5Percent: Double? { labelled > 0 ? 100 * Double(top5) / Double(labelled) : nil }
    public var agreementPercent: Double? { compared > 0 ? 100 * Double(agreed) / Double(compared) : nil }
}
