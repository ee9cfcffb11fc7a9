import Foundation
import OctetQuant
import OctetTestSupport
import Testing

/// Thresholds on fixed histograms against an independent numpy implementation
/// (Scripts/make-calibration-references.py, committed with its output in Fixtures/calibration/).
@Suite struct CalibratorTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var histogram: String
        var mode: String
        var threshold: Double
        var testDescription: String { "\(histogram) \(mode)" }
    }

    static let expected: [Expected] = {
        let url = Paths.fixture("calibration/expected.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 3, let t = Double(f[2]) else { return nil }
            return Expected(histogram: f[0], mode: f[1], threshold: t)
        }
    }()

    static func histogram(_ name: String) throws -> Histogram {
        let text = try String(contentsOf: Paths.fixture("calibration/\(name).txt"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        let head = lines[0].split(separator: " ")
        let bins = try #require(Int(head[0]))
        let limit = try #require(Double(head[1]))
        let zeros = try #require(Double(head[2]))
        let counts = lines.dropFirst().compactMap { Double($0) }
        try #require(counts.count == bins)
        return Histogram(counts: counts, limit: limit, zeros: zeros)
    }

    @Test func referencesArePresent() {
        #expect(Self.expected.count == 25)
    }

    @Test(arguments: expected)
    func thresholdMatchesNumpy(_ case_: Expected) throws {
        let h = try Self.histogram(case_.histogram)
        let got: Double
        if case_.mode == "kl" {
            got = KLCalibrator.threshold(h, quantizedBins: 255)
        } else if case_.mode == "mse" {
            got = MSECalibrator.threshold(h)
        } else if case_.mode.hasPrefix("percentile:"), let p = Double(case_.mode.dropFirst(11)) {
            got = PercentileCalibrator.threshold(h, percentile: p)
        } else {
            Issue.record("unknown mode \(case_.mode)")
            return
        }
        // Both sides pick a bin edge; the only difference allowed is the printing of the expected value.
        #expect(abs(got - case_.threshold) <= 1e-9 * case_.threshold, "got \(got), numpy \(case_.threshold)")
    }
}

@Suite struct HistogramTests {
    @Test func growingMergesWholeBins() {
        var h = Histogram(bins: 9)
        let first: [Float] = [-0.9, -0.5, 0, 0.5, 0.8]
        first.withUnsafeBufferPointer { h.add($0, absMax: 1) }
        #expect(h.limit == 1)
        let second: [Float] = [2.5]
        second.withUnsafeBufferPointer { h.add($0, absMax: 2.5) }
        #expect(h.limit == 3)
        #expect(h.total == 6)
        // Re-histogramming the six values over [-3, 3] directly gives the same counts (none on a bin edge).
        var direct = Histogram(bins: 9)
        let all: [Float] = [-0.9, -0.5, 0, 0.5, 0.8, 2.5, 3]
        all.withUnsafeBufferPointer { direct.add(UnsafeBufferPointer(rebasing: $0[0..<6]), absMax: 3) }
        #expect(h.counts == direct.counts)
    }

    @Test func exactZerosAreCountedApartFromTheBins() {
        var h = Histogram(bins: 5)
        let zeros: [Float] = [0, 0, 0]
        zeros.withUnsafeBufferPointer { h.add($0, absMax: 0) }
        let values: [Float] = [1, 0, 0.1]
        values.withUnsafeBufferPointer { h.add($0, absMax: 1) }
        #expect(h.counts == [0, 0, 1, 0, 1])
        #expect(h.zeros == 4)
        #expect(h.total == 6)
    }

    /// Zeros sit exactly on every int8 grid: a spike of them must not move KL's choice, but percentile counts them.
    @Test func zerosDoNotMoveKLButCountForPercentile() throws {
        let h = try CalibratorTests.histogram("relu")
        let spiked = Histogram(counts: h.counts, limit: h.limit, zeros: h.zeros + 10 * h.total)
        #expect(KLCalibrator.threshold(spiked, quantizedBins: 255) == KLCalibrator.threshold(h, quantizedBins: 255))
        #expect(PercentileCalibrator.threshold(spiked, percentile: 99) < PercentileCalibrator.threshold(h, percentile: 99))
    }

    @Test func presetRangeIsKeptWhenTheDataFitsIt() {
        var h = Histogram(bins: 9, limit: 2)
        let values: [Float] = [-2, -0.3, 0.5, 2]
        values.withUnsafeBufferPointer { h.add($0, absMax: 2) }
        #expect(h.limit == 2)
        #expect(h.counts == [1, 0, 0, 1, 0, 1, 0, 0, 1])
    }

    @Test func observerSkipsNonFinite() {
        var o = Observer(histogramBins: 11)
        let values: [Float] = [1, .nan, -2, .infinity]
        values.withUnsafeBufferPointer { o.observe($0) }
        #expect(o.min == -2 && o.max == 1)
        #expect(o.nonFinite == 2)
        #expect(o.histogram?.total == 2)
    }
}
