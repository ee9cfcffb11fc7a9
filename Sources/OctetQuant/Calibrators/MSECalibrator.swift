import OctetCPUKernels

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
        // Each distance from zero once, with the counts of both signs: the error is symmetric in the sign.
        var weight = [Double](repeating: 0, count: centre + 1)
        for (i, c) in h.counts.enumerated() where c != 0 { weight[min(abs(i - centre), centre)] += c }
        var magnitudes: [Double] = [], counts: [Double] = []
        for (m, c) in weight.enumerated() where c != 0 {
            magnitudes.append(Double(m) * w)
            counts.append(c)
        }
        // Every ring of bins around zero is a candidate: its upper edge.
        let thresholds = (0...centre).map { (Double($0) + 0.5) * w }
        var errors = [Double](repeating: .infinity, count: thresholds.count)
        octet_mse_errors(magnitudes, counts, magnitudes.count, Double(levels), thresholds, thresholds.count, &errors,
                         CalibrationISA.avx512)
        var bestRing = centre, bestError = Double.infinity
        for (j, e) in errors.enumerated() where e < bestError { (bestRing, bestError) = (j, e) }
        return thresholds[bestRing]
    }
}
