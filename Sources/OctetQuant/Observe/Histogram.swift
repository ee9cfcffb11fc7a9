import OctetCPUKernels

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
///
/// Exact zeros are counted apart from the bins (`zeros`). ReLU-family outputs are often a third zeros,
/// and every int8 grid holds zero exactly, so they say nothing about where to clip; in the centre bin they
/// would swamp KL's comparison (see `KLCalibrator`). Calibrators that count values include them.
public struct Histogram: Sendable, Equatable {
    /// TVM's and MXNet's KL calibration uses 8001 bins.
    public static let defaultBins = 8001

    public private(set) var counts: [Double]
    /// Half-width of the range; 0 until a non-zero value arrives.
    public private(set) var limit: Double
    /// Values that were exactly zero (not in `counts`).
    public private(set) var zeros: Double = 0

    public init(bins: Int = Histogram.defaultBins) {
        precondition(bins % 2 == 1 && bins >= 3, "a symmetric histogram needs an odd bin count")
        counts = Array(repeating: 0, count: bins)
        limit = 0
    }

    /// An empty histogram over a range known in advance (the second calibration pass): TVM's histogram
    /// of the whole calibration set, `bins` bins over `[-limit, limit]`, whatever the batch order.
    public init(bins: Int = Histogram.defaultBins, limit: Double) {
        precondition(bins % 2 == 1 && bins >= 3, "a symmetric histogram needs an odd bin count")
        counts = Array(repeating: 0, count: bins)
        self.limit = limit.isFinite && limit > 0 ? limit : 0
    }

    /// A histogram with given counts, range and exact zeros (for tests).
    public init(counts: [Double], limit: Double, zeros: Double = 0) {
        precondition(counts.count % 2 == 1, "a symmetric histogram needs an odd bin count")
        self.counts = counts
        self.limit = limit
        self.zeros = zeros
    }

    public var bins: Int { counts.count }
    public var binWidth: Double { 2 * limit / Double(bins) }
    public var total: Double { counts.reduce(0, +) + zeros }

    /// The lower edge of bin `i` (edge `bins` is `limit`), as numpy.histogram's edges.
    public func edge(_ i: Int) -> Double { -limit + Double(i) * binWidth }

    /// Adds finite values; the caller filters NaN and infinities.
    public mutating func add(_ values: UnsafeBufferPointer<Float>, absMax: Float) {
        if absMax == 0 {
            zeros += Double(values.count)
            return
        }
        if Double(absMax) > limit { grow(to: Double(absMax)) }
        let n = bins
        let scale = Double(n) / (2 * limit)
        let (base, limit) = (values.baseAddress, limit)
        let zeroCount = counts.withUnsafeMutableBufferPointer { c in
            base.map {
                octet_histogram_add($0, values.count, limit, scale, n, c.baseAddress!, CalibrationISA.avx512)
            } ?? 0
        }
        zeros += Double(zeroCount)
    }

    /// Takes back `count` values equal to `value` (non-zero, within the range), never below an empty bin.
    public mutating func remove(_ value: Float, count: Double) {
        guard value != 0, value.isFinite, limit > 0 else { return }
        let i = Self.bin(of: value, limit: limit, scale: Double(bins) / (2 * limit), bins: bins)
        counts[i] = Swift.max(0, counts[i] - count)
    }

    /// The bin `octet_histogram_add` counts `v` in.
    @inline(__always)
    private static func bin(of v: Float, limit: Double, scale: Double, bins n: Int) -> Int {
        let i = Int((Double(v) + limit) * scale)
        return i >= n ? n - 1 : (i < 0 ? 0 : i)
    }

    private mutating func grow(to newLimit: Double) {
        guard limit > 0 else {
            limit = newLimit
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
