import OctetIR

/// Bias correction for weight rounding: a convolution with rounded weights `W + E` shifts each output
/// channel's mean by `sum over its inputs and taps of E * E[x]`, the input channel's mean over the
/// calibration set (borders, where padding reads zeros, are not told apart). Subtracting that shift from
/// the bias removes the systematic part of the weight error, as NNCF's FastBiasCorrection and AIMET's
/// empirical bias correction do for weights; the activations' own quantization error is left alone.
public enum BiasCorrection {
    /// The rounding error of a weight: dequantized minus float, per element.
    public static func error(_ w: Tensor, quantized q: Tensor, _ p: QuantParams) -> Tensor {
        let values = w.floatValues(), ints = q.int64Values()
        let channels = p.scales.count
        let inner = p.axis.map { w.shape[($0 + 1)...].reduce(1, *) } ?? values.count
        var out = [Float](repeating: 0, count: values.count)
        for i in values.indices {
            let c = channels == 1 ? 0 : (i / inner) % channels
            out[i] = Float(ints[i] - Int64(p.zeroPoints[c])) * p.scales[c] - values[i]
        }
        return Tensor(shape: w.shape, floats: out)
    }

    /// `bias - shift`, the shift clamped to the bias's own magnitude: a correction larger than the bias
    /// comes from a mean the calibration data does not pin down well, and is not trusted in full.
    /// Unchanged when the shapes do not fit (weight [Cout, Cin/group, k...], one mean per input channel).
    public static func corrected(_ bias: Tensor, weightError e: Tensor, inputMeans means: [Float], group: Int) -> Tensor {
        guard e.rank >= 2, group >= 1, bias.count == e.shape[0], e.shape[0] % group == 0,
              means.count == e.shape[1] * group else { return bias }
        let outChannels = e.shape[0], perGroupIn = e.shape[1], taps = e.shape[2...].reduce(1, *)
        let perGroupOut = outChannels / group
        let errors = e.floatValues()
        var b = bias.floatValues()
        for co in 0..<outChannels {
            let g = co / perGroupOut
            var shift = 0.0
            for ci in 0..<perGroupIn {
                let mean = Double(means[g * perGroupIn + ci])
                let base = (co * perGroupIn + ci) * taps
                var tapSum = 0.0
                for k in 0..<taps { tapSum += Double(errors[base + k]) }
                shift += tapSum * mean
            }
            let limit = Double(abs(b[co]))
            b[co] = Float(Double(b[co]) - min(max(shift, -limit), limit))
        }
        return Tensor(shape: bias.shape, floats: b)
    }
}
