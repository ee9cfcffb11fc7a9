import OctetIR

/// Watches one tensor across calibration batches: its range and, when a calibrator needs it, a histogram.
public struct Observer: Sendable, Equatable {
    public private(set) var min: Float = .infinity
    public private(set) var max: Float = -.infinity
    public private(set) var samples = 0
    /// NaN and infinite values seen; they are left out of the range and the histogram.
    public private(set) var nonFinite = 0
    public private(set) var histogram: Histogram?

    public init(histogramBins: Int?) {
        histogram = histogramBins.map { Histogram(bins: $0) }
    }

    /// An observer whose histogram spans `[-limit, limit]` from the start (a range measured by a first pass).
    public init(histogramBins: Int, limit: Float) {
        histogram = Histogram(bins: histogramBins, limit: Double(limit))
    }

    public var hasValues: Bool { min <= max }
    /// The largest magnitude seen, 0 before any value.
    public var absMax: Float { hasValues ? Swift.max(-min, max) : 0 }

    public mutating func observe(_ tensor: Tensor) {
        let values = tensor.floatValues()
        values.withUnsafeBufferPointer { observe($0) }
    }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        var lo = Float.infinity, hi = -Float.infinity
        var bad = 0
        for v in values {
            if v.isFinite {
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            } else {
                bad += 1
            }
        }
        samples += values.count
        nonFinite += bad
        guard lo <= hi else { return }
        min = Swift.min(min, lo)
        max = Swift.max(max, hi)
        guard histogram != nil else { return }
        let magnitude = Swift.max(-lo, hi)
        if bad == 0 {
            histogram!.add(values, absMax: magnitude)
        } else {
            let finite = values.filter(\.isFinite)
            finite.withUnsafeBufferPointer { histogram!.add($0, absMax: magnitude) }
        }
    }
}
