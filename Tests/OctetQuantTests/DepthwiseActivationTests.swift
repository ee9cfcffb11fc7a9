import Foundation
import OctetCPU
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// Free per-channel activation scales (a tensor only depthwise convolutions read) and uint8 from 0 for
/// tensors that are never negative (`--activations auto`), from the plan to the integer kernels.
@Suite struct DepthwiseActivationTests {
    /// x -> Conv 1x1 (1 -> 4 channels) -> Relu -> depthwise Conv 3x3 (group 4) -> y
    static func network() throws -> Graph {
        var depthwise = ConvAttributes()
        depthwise.group = 4
        depthwise.pads = [1, 1, 1, 1]
        let w0 = Tensor(shape: [4, 1, 1, 1], floats: [1, 0.05, -2, 0.4])
        let w1 = Tensor(shape: [4, 1, 3, 3], floats: (0..<36).map { Float(($0 * 7) % 11) / 10 - 0.5 })
        let b1 = Tensor(shape: [4], floats: [0.3, -0.1, 0.02, 1.5])
        return try Graph(
            name: "dw",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(1), .fixed(6), .fixed(6)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "conv0", op: .conv(ConvAttributes()), inputs: ["x", "w0"], outputs: ["c0"]),
                Node(name: "relu0", op: .unary(.relu), inputs: ["c0"], outputs: ["r0"]),
                Node(name: "dw", op: .conv(depthwise), inputs: ["r0", "w1", "b1"], outputs: ["y"]),
            ],
            initializers: ["w0": w0, "w1": w1, "b1": b1]).inferringShapes()
    }

    static func config() -> QuantizationConfig {
        var config = QuantizationConfig()
        config.skipConv = []
        config.mode = .max
        config.activations = .auto
        config.depthwisePerChannel = true
        return config
    }

    static func input(seed: Int) -> Tensor {
        Tensor(shape: [1, 1, 6, 6], floats: (0..<36).map { Float((($0 + seed * 5) * 13) % 17) / 4 - 2 })
    }

    /// Observers over a few inputs, as calibration fills them.
    static func observers(_ graph: Graph, plan: QuantizationPlan) throws -> [String: Observer] {
        var watched = graph
        watched.outputs += plan.activations.map { ValueInfo(name: $0, dtype: nil, shape: nil) }
        let model = try CPUBackend(threads: 1).compile(watched)
        var observers = Dictionary(uniqueKeysWithValues: plan.activations.map { ($0, Observer(histogramBins: nil)) })
        for seed in 0..<3 {
            let out = try model.run(["x": input(seed: seed)])
            for name in plan.activations { observers[name]!.observe(out[name]!) }
        }
        return observers
    }

    @Test func planMarksDepthwiseOnlyAndNonNegativeTensors() throws {
        let plan = try Quantizer(config: Self.config()).plan(try Self.network())
        #expect(plan.activations == ["x", "r0"])
        #expect(plan.perChannelActivations == ["r0"])
        #expect(plan.nonNegativeActivations == ["r0"])
        var off = Self.config()
        off.depthwisePerChannel = false
        #expect(try Quantizer(config: off).plan(try Self.network()).perChannelActivations.isEmpty)
    }

    /// Each channel's scale is its own maximum over 255 levels (uint8 from 0), where the tensor's threshold
    /// does not clip it; the graph input stays symmetric int8, per tensor.
    @Test func rangesGiveEachChannelItsOwnScale() throws {
        let graph = try Self.network()
        let plan = try Quantizer(config: Self.config()).plan(graph)
        let observers = try Self.observers(graph, plan: plan)
        let ranges = try Self.config().ranges(observers, plan: plan)
        let r0 = try #require(ranges["r0"])
        #expect(r0.dtype == "uint8" && r0.zeroPoint == 0)
        let o = try #require(observers["r0"])
        let expected = o.channelMax.map { Float(max(Double($0), Double(o.max) / 256) / 255) }
        #expect(r0.channelScales == expected)
        #expect(Set(expected).count == 4, "the channels' ranges differ, so must their scales")
        // KL, percentile and mse read a second pass's observers: those carry the first pass's channel ranges.
        let second = Observer(histogramBins: 17, after: o)
        #expect(second.channelMax == o.channelMax && second.channelMin == o.channelMin && second.channelsConsistent)
        #expect(ranges["x"]?.channelScales == nil && ranges["x"]?.dtype == "int8")
        // The scale file keeps them.
        #expect(try ScaleFile.decode(ScaleFile.encode(ranges)) == ranges)
    }

    /// The QDQ graph has a per-axis Q/DQ on r0 and a bias scaled per channel by both scales; realized, it runs
    /// entirely on integer kernels and stays within one step of the simulated graph.
    @Test func realizedGraphRunsOnIntegersAndMatchesSimulation() throws {
        let graph = try Self.network()
        let quantizer = Quantizer(config: Self.config())
        let plan = try quantizer.plan(graph)
        let ranges = try Self.config().ranges(try Self.observers(graph, plan: plan), plan: plan)
        // Shapes inferred again, as loading the written model does: lowering checks the per-axis scales against them.
        var qdq = try quantizer.quantize(graph, plan: plan, ranges: ranges).inferringShapes()
        let q = try #require(qdq.nodes.first { $0.inputs.first == "r0" && $0.op.onnxName == "QuantizeLinear" })
        #expect(qdq.initializers[q.inputs[1]]?.shape == [4])
        #expect(qdq.initializers[q.inputs[2]]?.dtype == .u8)
        let biasScale = try #require(qdq.initializers.first { $0.key.hasPrefix("b1") && $0.key.hasSuffix("_scale") }?.value)
        let w1Scales = WeightScales.perChannel(graph.initializers["w1"]!)
        #expect(biasScale.floatValues() == zip(ranges["r0"]!.channelScales!, w1Scales).map { $0 * $1 })

        qdq.outputs.append(ValueInfo(name: q.outputs[0], dtype: nil, shape: nil))
        let realized = try Realize.run(qdq)
        #expect(realized.report.entries.allSatisfy { $0.integer != nil }, "\(realized.report.text)")
        let backend = CPUBackend(threads: 2)
        let (simulated, integer) = (try backend.compile(qdq), try backend.compile(realized.graph))
        for seed in 0..<3 {
            let feeds = ["x": Self.input(seed: seed)]
            let a = try simulated.run(feeds), b = try integer.run(feeds)
            let x = a[q.outputs[0]]!.int64Values(), y = b[q.outputs[0]]!.int64Values()
            #expect(!x.isEmpty && zip(x, y).allSatisfy { abs($0 - $1) <= 1 })
            let step = ranges["r0"]!.channelScales!.max()! * w1Scales.max()! * 9 + 0.05
            #expect(zip(a["y"]!.floatValues(), b["y"]!.floatValues()).allSatisfy { abs($0 - $1) <= step })
        }
    }
}

extension DepthwiseActivationTests {
    /// With bias correction the depthwise conv's stored bias is the float bias minus its weight-rounding shift
    /// (through the calibrated channel means of its input); without, the float bias quantized as it is.
    @Test func biasCorrectionReachesTheStoredBias() throws {
        let graph = try Self.network()
        var config = Self.config()
        let plan = try Quantizer(config: config).plan(graph)
        let observers = try Self.observers(graph, plan: plan)
        let ranges = try config.ranges(observers, plan: plan)
        let means = try #require(ranges["r0"]?.channelMeans)
        #expect(means == observers["r0"]!.channelMeans)
        func storedBias(_ config: QuantizationConfig) throws -> [Float] {
            let q = try Quantizer(config: config).quantize(graph, plan: plan, ranges: ranges)
            let ints = try #require(q.initializers["b1_quantized"]).floatValues()
            let scales = try #require(q.initializers.first { $0.key.hasPrefix("b1") && $0.key.hasSuffix("_scale") }?.value)
            return zip(ints, scales.floatValues()).map { $0 * $1 }
        }
        let corrected = try storedBias(config)
        config.biasCorrection = false
        let plain = try storedBias(config)
        let b1 = graph.initializers["b1"]!.floatValues()
        let w1 = graph.initializers["w1"]!.floatValues(), scales = WeightScales.perChannel(graph.initializers["w1"]!)
        for c in 0..<4 {
            var error = 0.0
            for k in 0..<9 {
                let w = w1[c * 9 + k]
                error += Double((w / scales[c]).rounded(.toNearestOrEven) * scales[c] - w)
            }
            let shift = min(max(error * Double(means[c]), -Double(abs(b1[c]))), Double(abs(b1[c])))
            let step = Double(ranges["r0"]!.channelScales![c] * scales[c])
            #expect(abs(Double(corrected[c]) - (Double(b1[c]) - shift)) <= step / 2 + 1e-9)
            #expect(abs(Double(plain[c]) - Double(b1[c])) <= step / 2 + 1e-9)
        }
        #expect(corrected != plain)
    }
}

/// Symmetric per-output-channel weight scales as the quantizer makes them (max magnitude / 127).
enum WeightScales {
    static func perChannel(_ w: Tensor) -> [Float] {
        let values = w.floatValues(), per = values.count / w.shape[0]
        return (0..<w.shape[0]).map { c in Float(Double(values[(c * per)..<((c + 1) * per)].map(abs).max()!) / 127) }
    }
}
