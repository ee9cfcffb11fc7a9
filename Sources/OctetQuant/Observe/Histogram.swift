/// A histogram of one tensor's values over a symmetric range `[-limit, limit]` with an odd number of bins.
///
/// Calibration sees the data batch by batch, so the range is not known in advance. When a batch holds a
/// value beyond `limit`, the range grows by an odd factor `k`: with an odd bin count, every new bin is
/// exactly `k` old bins (the middle one stays centred on zero), so counts merge without interpolation and
/// memory stays `bins` counters whatever the number of samples.
///
///     bins 9, limit 1.0, then a value 2.5 arrives: k = 3, limit 3.0;
///     old bin offsets -4...4 from the centre map to new offsets round(d / 3): -1, -1, -1, 0, 0, 0, 1, 1, 1
///     (offsets -1...1 map to 0; -4...-2 to -1; 2...4 to 1)
public struct Histogram: Sendable, Equatable {
    /// TVM's and MXNet's KL calibration uses 8001 bins.
    public static let defaultBins = 8001

    public private(set) var counts: [Double]
    /// Half-width of the range; 0 until a non-zero value arrives.
    public private(set) var limit: Double
    public private(set) var zeros: Double = 0

    public init(bins: Int = Histogram.defaultBins) {
        precondition(bins % 2 == 1 && bins >= 3, "a symmetric histogram needs an odd bin count")
        counts = Array(repeating: 0, count: bins)
        limit = 0
    }

    /// A histogram with given counts and range (for tests and scale files).
    public init(counts: [Double], limit: Double) {
        precondition(counts.count % 2 == 1, "a symmetric histogram needs an odd bin count")
        self.counts = counts
        self.limit = limit
    }

    public var bins: Int { counts.count }
    public var binWidth: Double { 2 * limit / Double(bins) }
    public var total: Double { counts.reduce(0, +) + zeros }

    /// The lower edge of bin `i` (edge `bins` is `limit`), as numpy.histogram's edges.
    public func edge(_ i: Int) -> Double { -limit + Double(i) * binWidth }

    /// Adds finite values; the caller filters NaN and infinities.
    public mutating func add(_ values: UnsafeBufferPointer<Float>, absMax: Float) {
        if absMax == 0 {
            // All zeros before any range exists: remember them for the first real range.
            if limit == 0 { zeros += Double(values.count); return }
        }
        if Double(absMax) > limit { grow(to: Double(absMax)) }
        let n = bins
        let scale = Double(n) / (2 * limit)
        counts.withUnsafeMutableBufferPointer { c in
            for v in values {
                var i = Int((Double(v) + limit) * scale)
                if i >= n { i = n - 1 } else if i < 0 { i = 0 }
                c[i] += 1
            }
        }
    }

    private mutating func grow(to newLimit: Double) {
        guard limit > 0 else {
            limit = newLimit
            counts[bins / 2] += zeros
            zeros = 0
            return
        }
        var k = Int((newLimit / limit).rounded(.up))
        if k % 2 == 0 { k += 1 }
        let centre = bins / 2
        var merged = Array(repeating: 0.0, count: bins)
        let half = (k - 1) / 2
        for i in 0..<bins where counts[i] != 0 {
            let d = i - centre
            // Floor division so negative offsets round the same way as positive ones.
            let shifted = d + half
            let e = shifted >= 0 ? shifted / k : -((-shifted + k - 1) / k)
            merged[centre + e] += counts[i]
        }
        counts = merged
        limit *= Double(k)
    }
}
