import Foundation
import OctetCPUKernels

/// TVM's and MXNet's entropy calibration: the threshold whose 255-level quantized histogram diverges
/// least (Kullback-Leibler) from the full one.
///
/// For each candidate i from 127 (half the quantized bins) to the histogram's half width, the reference
/// distribution p is the 2i+1 bins around zero with everything outside added to its two end bins; q merges
/// those bins into 255 groups and spreads each group's count evenly over its non-empty bins. Both are
/// smoothed (empty bins get eps = 1e-4, taken from the others) and normalised; the threshold is the upper
/// edge (i + 1/2 bin widths) of the candidate with the smallest divergence, first one on ties.
///
/// Exact zeros are left out (NVIDIA's histogram calibrator offers the same as `skip_zeros`). Every int8 grid
/// represents them exactly, but q spreads the centre group's count evenly over its bins, so a spike of
/// zeros (a third of a ReLU6 output) becomes the largest term of the divergence, and that term rises and
/// falls with how the 255 groups happen to line up with zero: it, not clipping against rounding, picked
/// the threshold. On MobileNetV2 it clipped ReLU6 outputs at a fifth to a half of their range.
///
/// For the same reason the values of channels that held one value over the whole calibration set are left
/// out: a depthwise filter whose input channel is dead passes its bias through ReLU6, a spike of 1/C of the
/// tensor in one bin that the 255 groups cannot spread. MobileNetV2's first depthwise output has three such
/// channels near zero; with them KL clipped it at 3.6 of 6.0, without them at 4.2.
public struct KLCalibrator: Calibrator {
    public var quantizedBins: Int
    public var mode: CalibrationMode { .kl }

    public init(quantizedBins: Int = 255) { self.quantizedBins = quantizedBins }

    public func threshold(for observer: Observer) -> Double {
        guard let h = observer.histogramWithoutConstantChannels, h.limit > 0 else { return Double(observer.absMax) }
        return Self.threshold(h, quantizedBins: quantizedBins)
    }

    static let eps = 1e-4

    public static func threshold(_ h: Histogram, quantizedBins: Int) -> Double {
        let n = h.bins
        let centre = n / 2
        let half = quantizedBins / 2
        let hist = h.counts
        guard centre >= half, quantizedBins >= 1 else { return h.limit }
        var best = Double.infinity
        var bestI = half
        for (offset, d) in divergences(hist, quantizedBins: quantizedBins).enumerated() where d < best {
            best = d
            bestI = half + offset
        }
        return (Double(bestI) + 0.5) * h.binWidth
    }

    /// The divergence of every candidate, from half the quantized bins to the histogram's half width.
    public static func divergences(_ counts: [Double], quantizedBins: Int) -> [Double] {
        let (centre, half) = (counts.count / 2, quantizedBins / 2)
        guard centre >= half, quantizedBins >= 1 else { return [] }
        let search = CandidateSearch(counts)
        // The widest candidate has 2 * centre + 1 bins: one more than an even histogram has.
        var scratch = [Double](repeating: 0, count: scratchCount(bins: 2 * centre + 1, quantizedBins: quantizedBins))
        return scratch.withUnsafeMutableBufferPointer { scratch in
            (half...centre).map { i in
                search.divergence(start: centre - i, bins: 2 * i + 1, quantizedBins: quantizedBins,
                                  scratch: scratch.baseAddress!)
            }
        }
    }

    /// `divergences` computed by the definition, candidate by candidate (what the search must equal).
    public static func definitionDivergences(_ counts: [Double], quantizedBins: Int) -> [Double] {
        let (centre, half) = (counts.count / 2, quantizedBins / 2)
        guard centre >= half, quantizedBins >= 1 else { return [] }
        return (half...centre).map { i in
            let (start, m) = (centre - i, 2 * i + 1)
            return candidate(counts, start: start, bins: m).withUnsafeBufferPointer { p in
                counts.withUnsafeBufferPointer { h in
                    divergence(p: p, sliced: UnsafeBufferPointer(rebasing: h[start..<(start + m)]), quantizedBins: quantizedBins)
                }
            }
        }
    }

    /// One candidate's p (the 2i + 1 bins from `start`, the outside folded into its end bins) as the
    /// definition builds it, for `divergence(p:sliced:quantizedBins:)`.
    static func candidate(_ hist: [Double], start: Int, bins m: Int) -> [Double] {
        var p = Array(hist[start..<(start + m)])
        p[0] += hist[..<start].reduce(0, +)
        p[m - 1] += hist[(start + m)...].reduce(0, +)
        return p
    }

    /// KL(p || q) after smoothing; infinity when q cannot be smoothed into a distribution.
    static func divergence(p: UnsafeBufferPointer<Double>, sliced: UnsafeBufferPointer<Double>,
                           quantizedBins nq: Int) -> Double {
        let m = p.count
        let merged = m / nq
        var pZeros = 0
        var pSum = 0.0
        for v in p {
            if v == 0 { pZeros += 1 }
            pSum += v
        }
        let pNonZeros = m - pZeros
        guard pNonZeros > 0 else { return .infinity }
        let pEps1 = eps * Double(pZeros) / Double(pNonZeros)

        // q per group: its count spread over the group's bins where p is non-zero; zero elsewhere.
        var groupValue = [Double](repeating: 0, count: nq)
        var qZeros = 0
        var qSum = 0.0
        for j in 0..<nq {
            let s = j * merged, e = j == nq - 1 ? m : s + merged
            var count = 0.0, norm = 0
            for k in s..<e {
                count += sliced[k]
                if p[k] != 0 { norm += 1 }
            }
            let value = norm > 0 ? count / Double(norm) : 0
            groupValue[j] = value
            for k in s..<e where p[k] == 0 || value == 0 { qZeros += 1 }
            qSum += value * Double(norm)
        }
        var scratch = [Double](repeating: 0, count: scratchCount(bins: m, quantizedBins: nq))
        return groupValue.withUnsafeBufferPointer { groups in
            smoothedDivergence(bins: m, groupValues: groups, qZeros: qZeros, qSum: qSum, pTotal: pSum, pEps1: pEps1,
                               inside: p.baseAddress!, first: p[0], last: p[m - 1], scratch: &scratch)
        }
    }

    /// The divergence once p's zeros and q's groups are counted: both smoothed, then KL(p || q) bin by bin in
    /// order (`octet_kl_smoothed_divergence`, whose logarithm gives the same bits on every CPU). p is `first`,
    /// inside[1 ..< m - 1], `last`. The definition and the candidate search share it.
    static func smoothedDivergence(bins m: Int, groupValues: UnsafeBufferPointer<Double>, qZeros: Int, qSum: Double,
                                   pTotal: Double, pEps1: Double, inside: UnsafePointer<Double>, first: Double,
                                   last: Double, scratch: UnsafeMutablePointer<Double>) -> Double {
        octet_kl_smoothed_divergence(inside, m, first, last, groupValues.baseAddress!, groupValues.count, qZeros, qSum,
                                     pTotal, pEps1, eps, scratch, CalibrationISA.avx512)
    }

    /// The doubles `smoothedDivergence` works in, for candidates of up to `bins` bins.
    static func scratchCount(bins: Int, quantizedBins: Int) -> Int { 4 * bins + 2 * quantizedBins }

}
