import OctetCPUKernels
import OctetIR

/// Watches one tensor across calibration batches: its range, each channel's range, and, when a calibrator
/// needs it, a histogram.
public struct Observer: Sendable, Equatable {
    public private(set) var min: Float = .infinity
    public private(set) var max: Float = -.infinity
    public private(set) var samples = 0
    /// NaN and infinite values seen; they are left out of the range and the histogram.
    public private(set) var nonFinite = 0
    public private(set) var histogram: Histogram?
    /// Each channel's (axis 1) smallest and largest value, while every batch had the same channel count.
    public private(set) var channelMin: [Float] = []
    public private(set) var channelMax: [Float] = []
    /// Each channel's sum (for its mean: bias correction), measured with the channel ranges.
    public private(set) var channelSum: [Double] = []
    /// How many values each channel has held.
    public private(set) var valuesPerChannel = 0
    public private(set) var channelsConsistent = true
    /// A second pass takes its constant channels from the first and does not measure them again.
    private var tracksChannels = true
    /// Non-zero values held by whole channels that never changed, measured by a first pass and carried
    /// into this one (see `KLCalibrator`).
    public private(set) var constantChannels: [Float] = []

    public init(histogramBins: Int?) {
        histogram = histogramBins.map { Histogram(bins: $0) }
    }

    /// An observer whose histogram spans `[-limit, limit]` from the start (a range measured by a first pass).
    public init(histogramBins: Int, limit: Float) {
        histogram = Histogram(bins: histogramBins, limit: Double(limit))
    }

    /// The second-pass observer for what `first` measured: a histogram over its range, and its constant
    /// channels, which are constant in this pass too because it reads the same data.
    public init(histogramBins: Int, after first: Observer) {
        self.init(histogramBins: histogramBins, limit: first.absMax)
        constantChannels = first.nonZeroConstantChannels
        valuesPerChannel = first.valuesPerChannel
        channelMin = first.channelMin
        channelMax = first.channelMax
        channelSum = first.channelSum
        channelsConsistent = first.channelsConsistent
        tracksChannels = false
    }

    public var hasValues: Bool { min <= max }
    /// The largest magnitude seen, 0 before any value.
    public var absMax: Float { hasValues ? Swift.max(-min, max) : 0 }

    /// The values of channels that held one non-zero value throughout (exact zeros are already apart).
    public var nonZeroConstantChannels: [Float] {
        guard channelsConsistent, nonFinite == 0, valuesPerChannel > 0 else { return [] }
        return zip(channelMin, channelMax).compactMap { lo, hi in lo == hi && lo != 0 ? lo : nil }
    }

    /// The histogram as KL reads it: without the values of constant channels (their count is exact, one
    /// bin each).
    public var histogramWithoutConstantChannels: Histogram? {
        guard var h = histogram else { return nil }
        for v in constantChannels { h.remove(v, count: Double(valuesPerChannel)) }
        return h
    }

    public mutating func observe(_ tensor: Tensor) {
        let values = tensor.floatValues()
        values.withUnsafeBufferPointer { observe($0, shape: tensor.shape) }
    }

    /// Values laid out as `shape` (channels on axis 1, as every NCHW and [N, features] tensor has them).
    public mutating func observe(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
        var lo = Float.infinity, hi = -Float.infinity
        var clean = true
        let channels = tracksChannels && shape.count >= 2 ? shape[1] : 0
        let outer = shape.first ?? 0
        let inner = channels > 0 && outer > 0 ? values.count / (outer * channels) : 0
        if channels > 0, inner > 0, outer * channels * inner == values.count, channelsConsistent,
           channelMin.isEmpty || channelMin.count == channels {
            if channelMin.isEmpty {
                channelMin = Array(repeating: .infinity, count: channels)
                channelMax = Array(repeating: -.infinity, count: channels)
                channelSum = Array(repeating: 0, count: channels)
            }
            channelMin.withUnsafeMutableBufferPointer { cmin in
                channelMax.withUnsafeMutableBufferPointer { cmax in
                    for n in 0..<outer {
                        for c in 0..<channels {
                            let base = (n * channels + c) * inner
                            let plane = UnsafeBufferPointer(rebasing: values[base..<(base + inner)])
                            let (sl, sh, ok) = Self.range(plane)
                            clean = clean && ok
                            if ok { channelSum[c] += Self.sum(plane) }
                            cmin[c] = Swift.min(cmin[c], sl)
                            cmax[c] = Swift.max(cmax[c], sh)
                            lo = Swift.min(lo, sl)
                            hi = Swift.max(hi, sh)
                        }
                    }
                }
            }
            valuesPerChannel += outer * inner
        } else {
            if channels > 0 { channelsConsistent = false }
            (lo, hi, clean) = Self.range(values)
        }
        let bad = clean ? 0 : Self.nonFiniteCount(values)
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

    /// The smallest and largest finite values (infinity, -infinity when there are none): `octet_float_range`'s
    /// plain comparisons, which NaN fails, sixteen at a time; a second loop runs only when a NaN or an infinity
    /// was there.
    private static func range(_ values: UnsafeBufferPointer<Float>) -> (lo: Float, hi: Float, clean: Bool) {
        var lo = Float.infinity, hi = -Float.infinity
        let nan = values.baseAddress.map { octet_float_range($0, values.count, &lo, &hi, CalibrationISA.avx512) } ?? 0
        guard nan != 0 || lo == -.infinity || hi == .infinity else { return (lo, hi, true) }
        lo = .infinity
        hi = -.infinity
        for v in values where v.isFinite {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        return (lo, hi, false)
    }

    /// Eight float partial sums (so the loop vectorizes), added up in double.
    private static func sum(_ values: UnsafeBufferPointer<Float>) -> Double {
        var partial = SIMD8<Float>()
        var i = 0
        while i + 8 <= values.count {
            partial += SIMD8<Float>(values[i..<(i + 8)])
            i += 8
        }
        var total = (0..<8).reduce(0.0) { $0 + Double(partial[$1]) }
        while i < values.count { total += Double(values[i]); i += 1 }
        return total
    }

    /// Each channel's mean; nil when the channels were not measured consistently or a NaN/inf was seen.
    public var channelMeans: [Float]? {
        guard channelsConsistent, nonFinite == 0, valuesPerChannel > 0, channelSum.count == channelMin.count,
              !channelSum.isEmpty else { return nil }
        return channelSum.map { Float($0 / Double(valuesPerChannel)) }
    }

    private static func nonFiniteCount(_ values: UnsafeBufferPointer<Float>) -> Int {
        values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
    }

    /// Values without a known layout: range and histogram only.
    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        observe(values, shape: [values.count])
    }
}
