/// The threshold that keeps `percentile` percent of |x| inside the range: the upper edge of the first
/// ring of histogram bins around zero whose cumulative count reaches that share.
public struct PercentileCalibrator: Calibrator {
    public var percentile: Double
    public var mode: CalibrationMode { .percentile }

    public init(percentile: Double) { self.percentile = percentile }

    public func threshold(for observer: Observer) -> Double {
        guard let h = observer.histogram, h.limit > 0 else { return Double(observer.absMax) }
        return Self.threshold(h, percentile: percentile)
    }

    /// Ring j holds bins centre-j and centre+j; its upper edge is (j + 1/2) bin widths from zero.
    public static func threshold(_ h: Histogram, percentile: Double) -> Double {
        let centre = h.bins / 2
        let target = h.total * percentile / 100
        var cumulative = h.counts[centre] + h.zeros
        var j = 0
        while cumulative < target && j < centre {
            j += 1
            cumulative += h.counts[centre - j] + h.counts[centre + j]
        }
        return (Double(j) + 0.5) * h.binWidth
    }
}
