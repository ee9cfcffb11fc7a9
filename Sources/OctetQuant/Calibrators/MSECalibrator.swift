/// The threshold that minimizes the expected squared error of quantizing the observed values (each
/// histogram bin standing for its centre): small thresholds clip the tails, large ones round coarsely.
/// Every ring of bins around zero is a candidate (its upper edge), the first best one wins.
public struct MSECalibrator: Calibrator {
    public var mode: CalibrationMode { .mse }

    public init() {}

    public func threshold(for observer: Observer) -> Double {
        guard let h = observer.histogram, h.limit > 0 else { return Double(observer.absMax) }
        return Self.threshold(h)
    }

    public static func threshold(_ h: Histogram, levels: Int = 127) -> Double {
        let centre = h.bins / 2
        let w = h.binWidth
        // Non-empty bins as (|centre value|, count): the error is symmetric in the sign.
        var magnitudes: [Double] = []
        var counts: [Double] = []
        for (i, c) in h.counts.enumerated() where c != 0 {
            magnitudes.append(abs(Double(i - centre)) * w)
            counts.append(c)
        }
        func error(ring j: Int) -> Double {
            let t = (Double(j) + 0.5) * w
            let scale = t / Double(levels)
            var sum = 0.0
            for (x, c) in zip(magnitudes, counts) {
                let q = min((x / scale).rounded(.toNearestOrEven), Double(levels)) * scale
                sum += c * (x - q) * (x - q)
            }
            return sum
        }
        var bestRing = centre, bestError = Double.infinity
        for j in 0...centre {
            let e = error(ring: j)
            if e < bestError { (bestRing, bestError) = (j, e) }
        }
        return (Double(bestRing) + 0.5) * w
    }
}
