import Foundation

extension KLCalibrator {
    /// `divergence(p:sliced:quantizedBins:)` for every candidate of one histogram, bit for bit, in one pass
    /// over each candidate's bins instead of four.
    ///
    /// Histogram counts are whole numbers, so every sum of them is exact in any order: p's total, each
    /// group's count and each group's non-empty bins come from prefix sums in O(1), and only the divergence
    /// itself walks the bins, in the definition's order and with its operations. A histogram with a count
    /// that is not a whole number (or a total past 2^53) takes the definition's own path.
    struct CandidateSearch {
        let hist: [Double]
        /// prefix[k] = hist[0] + … + hist[k − 1].
        let prefix: [Double]
        /// emptyPrefix[k] = the number of empty bins among the first k.
        let emptyPrefix: [Int]
        let exact: Bool

        init(_ hist: [Double]) {
            self.hist = hist
            var prefix = [Double](repeating: 0, count: hist.count + 1)
            var emptyPrefix = [Int](repeating: 0, count: hist.count + 1)
            var exact = true
            for (k, v) in hist.enumerated() {
                prefix[k + 1] = prefix[k] + v
                emptyPrefix[k + 1] = emptyPrefix[k] + (v == 0 ? 1 : 0)
                if v < 0 || v != v.rounded(.towardZero) { exact = false }
            }
            self.prefix = prefix
            self.emptyPrefix = emptyPrefix
            self.exact = exact && (prefix.last ?? 0) < 9_007_199_254_740_992
        }

        /// `scratch` holds `KLCalibrator.scratchCount(bins: m, quantizedBins: nq)` doubles.
        func divergence(start: Int, bins m: Int, quantizedBins nq: Int, scratch: UnsafeMutablePointer<Double>) -> Double {
            guard exact, m >= 2, m >= nq else {
                let p = KLCalibrator.candidate(hist, start: start, bins: m)
                return p.withUnsafeBufferPointer { p in
                    hist.withUnsafeBufferPointer { h in
                        KLCalibrator.divergence(p: p, sliced: UnsafeBufferPointer(rebasing: h[start..<(start + m)]),
                                                quantizedBins: nq)
                    }
                }
            }
            let total = prefix[hist.count]
            let first = hist[start] + prefix[start]
            let last = hist[start + m - 1] + (total - prefix[start + m])
            // p's empty bins: the inside ones by prefix count, the two ends as folded.
            func empty(_ s: Int, _ e: Int) -> Int {
                var z = emptyPrefix[start + e] - emptyPrefix[start + s]
                if s == 0 { z += (first == 0 ? 1 : 0) - (hist[start] == 0 ? 1 : 0) }
                if e == m { z += (last == 0 ? 1 : 0) - (hist[start + m - 1] == 0 ? 1 : 0) }
                return z
            }
            let pZeros = empty(0, m)
            let pNonZeros = m - pZeros
            guard pNonZeros > 0 else { return .infinity }
            let pEps1 = eps * Double(pZeros) / Double(pNonZeros)

            let merged = m / nq
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: nq) { groupValue in
                var qZeros = 0
                var qSum = 0.0
                for j in 0..<nq {
                    let s = j * merged, e = j == nq - 1 ? m : s + merged
                    let count = prefix[start + e] - prefix[start + s]
                    let norm = (e - s) - empty(s, e)
                    let value = norm > 0 ? count / Double(norm) : 0
                    groupValue[j] = value
                    qZeros += value == 0 ? e - s : e - s - norm
                    qSum += value * Double(norm)
                }
                return hist.withUnsafeBufferPointer { h in
                    let inside = h.baseAddress! + start
                    return KLCalibrator.smoothedDivergence(
                        bins: m, groupValues: UnsafeBufferPointer(groupValue), qZeros: qZeros, qSum: qSum, pTotal: total,
                        pEps1: pEps1, inside: inside, first: first, last: last, scratch: scratch)
                }
            }
        }
    }
}
