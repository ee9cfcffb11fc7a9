import OctetIR
import OctetQuant
import Testing

/// Bias correction for weight rounding, on hand-worked values.
@Suite struct BiasCorrectionTests {
    /// Two output channels over two input channels, 1x1: the shift of channel 0 is 0.01*2 + (-0.02)*(-1) = 0.04;
    /// channel 1's is 0.03*(-1) = -0.03, clamped to its bias's magnitude 0.01.
    @Test func denseShiftIsSubtractedAndClampedToTheBias() {
        let error = Tensor(shape: [2, 2, 1, 1], floats: [0.01, -0.02, 0, 0.03])
        let bias = Tensor(shape: [2], floats: [0.5, 0.01])
        let b = BiasCorrection.corrected(bias, weightError: error, inputMeans: [2, -1], group: 1).floatValues()
        #expect(abs(b[0] - 0.46) < 1e-6)
        #expect(abs(b[1] - 0.02) < 1e-6)
    }

    /// Depthwise (group 2, two taps): each output channel reads only its own input channel's mean:
    /// (0.01 + 0.02) * 3 = 0.09 and (-0.01 + 0.005) * 4 = -0.02.
    @Test func depthwiseReadsItsOwnChannelsMean() {
        let error = Tensor(shape: [2, 1, 1, 2], floats: [0.01, 0.02, -0.01, 0.005])
        let bias = Tensor(shape: [2], floats: [1, 0.5])
        let b = BiasCorrection.corrected(bias, weightError: error, inputMeans: [3, 4], group: 2).floatValues()
        #expect(abs(b[0] - 0.91) < 1e-6)
        #expect(abs(b[1] - 0.52) < 1e-6)
    }

    /// Means that do not fit the weight's input channels leave the bias as it was.
    @Test func mismatchedMeansChangeNothing() {
        let error = Tensor(shape: [2, 1, 1, 2], floats: [0.01, 0.02, -0.01, 0.005])
        let bias = Tensor(shape: [2], floats: [1, 0.5])
        #expect(BiasCorrection.corrected(bias, weightError: error, inputMeans: [3, 4, 5], group: 2) == bias)
    }

    /// The error of a weight is its dequantized value minus the float value, per channel's scale.
    @Test func weightErrorIsDequantizedMinusFloat() {
        let w = Tensor(shape: [2, 1], floats: [1.0, -0.3])
        let q = Tensor(shape: [2, 1], int8s: [127, -64])
        let p = QuantParams(scales: [1.0 / 127, 0.3 / 64], zeroPoints: [0, 0], dtype: .i8, axis: 0)
        let e = BiasCorrection.error(w, quantized: q, p).floatValues()
        #expect(e[0] == Float(127) * Float(1.0 / 127) - 1.0)
        #expect(e[1] == Float(-64) * Float(0.3 / 64) + 0.3)
    }
}
