import OctetIR

/// Annotate: the plan, then the QDQ graph written from calibrated ranges; the library side of
/// `octet quantize` (calibration itself is `CalibrationRun`).
public struct Quantizer: Sendable {
    public var config: QuantizationConfig

    public init(config: QuantizationConfig) { self.config = config }

    public func plan(_ graph: Graph) throws(QuantError) -> QuantizationPlan {
        try QuantizationPlan(graph: graph, config: config)
    }

    /// The QDQ graph: every planned activation quantized with its range, weights and biases stored quantized.
    public func quantize(_ graph: Graph, plan: QuantizationPlan, ranges: [String: TensorRange]) throws(QuantError)
        -> Graph {
        var params: [String: QuantParams] = [:]
        var means: [String: [Float]] = [:]
        for t in plan.activations {
            guard let r = ranges[t] else { throw QuantError("no calibrated range for tensor \"\(t)\"") }
            params[t] = r.params
            if config.biasCorrection { means[t] = r.channelMeans }
        }
        return try QDQRewriter(graph: graph, plan: plan, activationParams: params, perChannel: config.perChannel,
                               powerOfTwoWeights: config.weightScale == .power2, inputMeans: means).rewrite()
    }
}
