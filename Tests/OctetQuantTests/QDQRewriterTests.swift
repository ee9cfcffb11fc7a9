import OctetIR
import OctetQuant
import Testing

/// The annotate step on a small hand-built graph: what gets Q/DQ, and the stored integers.
@Suite struct QDQRewriterTests {
    /// input -> Conv(w, b) -> Relu -> Conv(w2) -> output
    static func twoConvs() -> Graph {
        let w = Tensor(shape: [2, 1, 1, 1], floats: [0.5, -1.27])
        let b = Tensor(shape: [2], floats: [0.1, -0.2])
        let w2 = Tensor(shape: [1, 2, 1, 1], floats: [2.54, 1])
        return Graph(
            name: "two",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(1), .fixed(2), .fixed(2)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "conv0", op: .conv(ConvAttributes()), inputs: ["x", "w", "b"], outputs: ["c0"]),
                Node(name: "relu0", op: .unary(.relu), inputs: ["c0"], outputs: ["r0"]),
                Node(name: "conv1", op: .conv(ConvAttributes()), inputs: ["r0", "w2", ""], outputs: ["y"]),
            ],
            initializers: ["w": w, "b": b, "w2": w2])
    }

    static func range(_ threshold: Double) -> TensorRange {
        let p = QuantParams.symmetric(threshold: threshold)
        return TensorRange(min: Float(-threshold), max: Float(threshold), threshold: threshold, scale: p.scales[0],
                           zeroPoint: 0, dtype: "int8", mode: .max)
    }

    @Test("A NaN or infinite weight or bias is an error naming the node and tensor, not a trap",
          arguments: [("w", Float.nan), ("w2", Float.infinity), ("b", -Float.infinity)])
    func nonFiniteWeights(_ tensor: String, _ value: Float) throws {
        var graph = Self.twoConvs()
        var values = try #require(graph.initializers[tensor]).floatValues()
        values[values.count - 1] = value
        graph.initializers[tensor] = Tensor(shape: graph.initializers[tensor]!.shape, floats: values)
        var config = QuantizationConfig()
        config.skipConv = []
        let quantizer = Quantizer(config: config)
        let plan = try quantizer.plan(graph)
        do {
            _ = try quantizer.quantize(graph, plan: plan, ranges: ["x": Self.range(1.27), "r0": Self.range(2.54)])
            Issue.record("quantized a graph whose \(tensor) holds \(value)")
        } catch {
            #expect(String(describing: error).contains("\"\(tensor)\" holds \(value)"), "\(error)")
            #expect(String(describing: error).contains(tensor == "w2" ? "\"conv1\"" : "\"conv0\""), "\(error)")
        }
    }

    @Test func firstConvStaysFloatByDefault() throws {
        let plan = try Quantizer(config: QuantizationConfig()).plan(Self.twoConvs())
        #expect(plan.quantizedNodes == ["conv1"])
        #expect(plan.keptFloat.map(\.node) == ["conv0"])
        #expect(plan.activations == ["r0"])
    }

    @Test func quantizesWeightsPerChannelAndBiasAsInt32() throws {
        var config = QuantizationConfig()
        config.skipConv = []
        let graph = Self.twoConvs()
        let quantizer = Quantizer(config: config)
        let plan = try quantizer.plan(graph)
        #expect(plan.activations == ["x", "r0"])
        let q = try quantizer.quantize(graph, plan: plan, ranges: ["x": Self.range(1.27), "r0": Self.range(2.54)])
        // Weights: per channel max|w|/127 -> 0.5 -> 127, -1.27 -> -127.
        #expect(q.initializers["w_quantized"] == Tensor(shape: [2, 1, 1, 1], int8s: [127, -127]))
        #expect(q.initializers["w_scale"]?.floatValues() == [Float(0.5) / 127, Float(1.27) / 127])
        // Bias scale = input scale (1.27/127 = 0.01) x weight scale; 0.1 / (0.01 * 0.5/127) = 2540.
        let bias = try #require(q.initializers["b_quantized"])
        #expect(bias.dtype == .i32)
        #expect(bias.int64Values() == [2540, -2000])
        // The float weights are gone; the consumers read the dequantized copies.
        #expect(q.initializers["w"] == nil)
        let conv0 = try #require(q.nodes.first { $0.name == "conv0" })
        #expect(conv0.inputs == ["x_dequantized", "w_dequantized", "b_dequantized"])
        let conv1 = try #require(q.nodes.first { $0.name == "conv1" })
        #expect(conv1.inputs[0] == "r0_dequantized")
        // The Q/DQ pair of r0 comes right after its producer, Relu.
        let names = q.nodes.map(\.name)
        let relu = try #require(names.firstIndex(of: "relu0"))
        #expect(names[relu + 1] == "r0_QuantizeLinear" && names[relu + 2] == "r0_DequantizeLinear")
    }

    @Test func unknownExcludeIsAnError() {
        var config = QuantizationConfig()
        config.exclude = ["conv7"]
        #expect(throws: QuantError.self) { try Quantizer(config: config).plan(Self.twoConvs()) }
    }

    @Test func nothingQuantizableIsAnError() {
        var config = QuantizationConfig()
        config.excludeTypes = ["Conv"]
        #expect(throws: QuantError.self) { try Quantizer(config: config).plan(Self.twoConvs()) }
    }

    @Test func uint8RangesIncludeZero() {
        let p = QuantParams.asymmetric(low: 0.5, high: 5.1)
        #expect(p.zeroPoints == [0])
        #expect(abs(p.scales[0] - 0.02) < 1e-7)
        let q = QuantParams.asymmetric(low: -1, high: 1.55)
        #expect(q.zeroPoints == [100])
    }

    @Test func power2ScalesAreExactPowers() {
        let p = QuantParams.symmetric(threshold: 3.0, powerOfTwo: true)
        #expect(p.scales == [0.03125])
    }
}
