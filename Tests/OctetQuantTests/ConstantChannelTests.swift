import Foundation
import OctetCPU
import OctetIR
import OctetQuant
import Testing

/// Channels that hold one value over the whole calibration set: measured per channel in the first pass,
/// left out of the histogram KL reads, kept in the one percentile and MSE read.
@Suite struct ConstantChannelTests {
    static let channels = 3, spatial = 256, images = 4
    static let constant: Float = 0.37

    /// Channel 1 is constant; channels 0 and 2 are exponential samples (a ReLU output's shape).
    static func batch() -> [Float] {
        var state: UInt64 = 20261206
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        var out: [Float] = []
        for _ in 0..<images {
            for c in 0..<channels {
                for _ in 0..<spatial { out.append(c == 1 ? constant : Float(-log(uniform()) * 0.6)) }
            }
        }
        return out
    }

    static func calibrate(_ values: [Float]) throws -> Observer {
        let shape = [images, channels, spatial]
        let graph = Graph(
            name: "identity",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: shape.map { .fixed($0) })],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [Node(name: "relu", op: .unary(.relu), inputs: ["x"], outputs: ["y"])],
            initializers: [:])
        let run = CalibrationRun(graph: graph, tensors: ["y"], histogramBins: 8001, backend: CPUBackend(threads: 1))
        let observers = try run.observe(open: {
            var done = false
            return {
                defer { done = true }
                return done ? nil : ["x": Tensor(shape: shape, floats: values)]
            }
        })
        return try #require(observers["y"])
    }

    @Test func firstPassFindsTheConstantChannelAndTheSecondCarriesIt() throws {
        var first = Observer(histogramBins: nil)
        let values = Self.batch()
        values.withUnsafeBufferPointer { first.observe($0, shape: [Self.images, Self.channels, Self.spatial]) }
        #expect(first.nonZeroConstantChannels == [Self.constant])
        #expect(first.valuesPerChannel == Self.images * Self.spatial)
        #expect(first.channelMin[1] == Self.constant && first.channelMax[1] == Self.constant)
        #expect(first.channelMin[0] < first.channelMax[0])

        let observer = try Self.calibrate(values)
        #expect(observer.constantChannels == [Self.constant])
        let full = try #require(observer.histogram)
        let kept = try #require(observer.histogramWithoutConstantChannels)
        #expect(full.total - kept.total == Double(Self.images * Self.spatial))
    }

    @Test func klReadsTheHistogramWithoutTheConstantChannel() throws {
        let values = Self.batch()
        let observer = try Self.calibrate(values)
        let limit = try #require(observer.histogram).limit

        // The same tensor without channel 1, binned over the same range.
        var reference = Histogram(bins: 8001, limit: limit)
        let others = values.enumerated().filter { ($0.offset / Self.spatial) % Self.channels != 1 }.map(\.element)
        others.withUnsafeBufferPointer { reference.add($0, absMax: Float(limit)) }
        #expect(reference == observer.histogramWithoutConstantChannels)

        let chosen = KLCalibrator().threshold(for: observer)
        #expect(chosen == KLCalibrator.threshold(reference, quantizedBins: 255))
        // The spike alone moves KL's choice: the test would notice if it were left in.
        let withSpike = KLCalibrator.threshold(try #require(observer.histogram), quantizedBins: 255)
        #expect(abs(withSpike - chosen) > 2 * reference.binWidth)
        // Percentile counts every value, the constant channel included.
        #expect(PercentileCalibrator(percentile: 99.9).threshold(for: observer)
            == PercentileCalibrator.threshold(try #require(observer.histogram), percentile: 99.9))
    }

    @Test func nonFiniteValuesOrChangingChannelCountsTurnTheDetectionOff() {
        var withNaN = Observer(histogramBins: nil)
        let nan: [Float] = [1, 1, .nan, 2, 0.5, 0.5]
        nan.withUnsafeBufferPointer { withNaN.observe($0, shape: [1, 2, 3]) }
        #expect(withNaN.nonFinite == 1)
        #expect(withNaN.nonZeroConstantChannels.isEmpty)
        #expect(withNaN.min == 0.5 && withNaN.max == 2)

        var reshaped = Observer(histogramBins: nil)
        let a: [Float] = [3, 3, 4, 5], b: [Float] = [3, 3, 3]
        a.withUnsafeBufferPointer { reshaped.observe($0, shape: [1, 2, 2]) }
        b.withUnsafeBufferPointer { reshaped.observe($0, shape: [1, 3, 1]) }
        #expect(reshaped.nonZeroConstantChannels.isEmpty)
        #expect(reshaped.min == 3 && reshaped.max == 5)
    }
}
