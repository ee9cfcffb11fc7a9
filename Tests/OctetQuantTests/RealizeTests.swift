import OctetCPU
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// The realize pass on small QDQ graphs made by Octet's own annotate step: which ops lower, what they
/// become, why the others stay float, and that the integer graph computes what the QDQ graph simulates.
@Suite struct RealizeTests {
    /// x → Conv 3x3 → Relu → depthwise Conv → Clip(0, 6) → Add(relu output) → GlobalAveragePool → Flatten → Gemm → y
    static func network(channels c: Int = 8) -> Graph {
        func values(_ n: Int, _ seed: Int, _ scale: Float) -> [Float] {
            (0..<n).map { i in Float(((i * 7919 + seed * 104_729) % 2001) - 1000) / 1000 * scale }
        }
        let nodes = [
            Node(name: "conv0", op: .conv(ConvAttributes(pads: [1, 1, 1, 1])), inputs: ["x", "w0", "b0"], outputs: ["c0"]),
            Node(name: "relu0", op: .unary(.relu), inputs: ["c0"], outputs: ["r0"]),
            Node(name: "dw", op: .conv(ConvAttributes(pads: [1, 1, 1, 1], group: c)), inputs: ["r0", "w1", "b1"], outputs: ["c1"]),
            Node(name: "clip1", op: .clip, inputs: ["c1", "lo", "hi"], outputs: ["r1"]),
            Node(name: "add", op: .binary(.add), inputs: ["r1", "r0"], outputs: ["s"]),
            Node(name: "gap", op: .globalAveragePool, inputs: ["s"], outputs: ["p"]),
            Node(name: "flatten", op: .flatten(axis: 1), inputs: ["p"], outputs: ["f"]),
            Node(name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "w2", "b2"], outputs: ["y"]),
        ]
        return Graph(
            name: "small",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(3), .fixed(10), .fixed(12)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: nodes,
            initializers: [
                "w0": Tensor(shape: [c, 3, 3, 3], floats: values(c * 27, 1, 0.4)),
                "b0": Tensor(shape: [c], floats: values(c, 2, 0.3)),
                "w1": Tensor(shape: [c, 1, 3, 3], floats: values(c * 9, 3, 0.6)),
                "b1": Tensor(shape: [c], floats: values(c, 4, 0.2)),
                "lo": .scalar(0), "hi": .scalar(6),
                "w2": Tensor(shape: [5, c], floats: values(5 * c, 5, 0.5)),
                "b2": Tensor(shape: [5], floats: values(5, 6, 0.1)),
            ]).withShapes()
    }

    static func range(_ threshold: Double, uint8: Bool = false) -> TensorRange {
        let p = uint8 ? QuantParams.asymmetric(low: 0, high: threshold) : QuantParams.symmetric(threshold: threshold)
        return TensorRange(min: 0, max: Float(threshold), threshold: threshold, scale: p.scales[0],
                           zeroPoint: p.zeroPoints[0], dtype: uint8 ? "uint8" : "int8", mode: .max)
    }

    static func quantized(_ graph: Graph, uint8: Bool = false, skipFirst: Bool = false) throws -> Graph {
        var config = QuantizationConfig()
        config.skipConv = skipFirst ? [0] : []
        let quantizer = Quantizer(config: config)
        let plan = try quantizer.plan(graph)
        let thresholds: [String: Double] = ["x": 1, "r0": 3, "r1": 4, "s": 6, "f": 4]
        var ranges: [String: TensorRange] = [:]
        for t in plan.activations { ranges[t] = range(thresholds[t] ?? 4, uint8: uint8 && t != "x") }
        return try quantizer.quantize(graph, plan: plan, ranges: ranges).withShapes()
    }

    static func input(seed: Int) -> Tensor {
        Tensor(shape: [1, 3, 10, 12], floats: (0..<360).map { i in Float(((i * 6007 + seed * 31) % 1999) - 999) / 1000 })
    }

    @Test(arguments: [false, true]) func everyQuantizedOpLowers(uint8: Bool) throws {
        let realized = try Realize.run(Self.quantized(Self.network(), uint8: uint8))
        let ops = realized.graph.nodes.map(\.op.onnxName)
        for float in ["Conv", "Gemm", "Add", "GlobalAveragePool", "Relu", "Clip"] {
            #expect(!ops.contains(float), "\(float) is still float: \(realized.report.text)")
        }
        #expect(ops.filter { $0 == "ConvInteger" }.count == 2)
        #expect(ops.filter { $0 == "Requantize" }.count == 2)
        #expect(ops.contains("QLinearAdd") && ops.contains("QLinearGlobalAveragePool") && ops.contains("MatMulInteger"))
        // One QuantizeLinear where the float input enters, one DequantizeLinear giving the float logits.
        #expect(ops.filter { $0 == "QuantizeLinear" }.count == 1)
        #expect(ops.filter { $0 == "DequantizeLinear" }.count == 1)
        #expect(realized.report.entries.allSatisfy { $0.integer != nil })
    }

    /// ReLU becomes the lower bound at the zero point; Clip(0, 6) the bounds Q(0) and Q(6).
    @Test func activationsFoldIntoBounds() throws {
        let graph = try Realize.run(Self.quantized(Self.network(), uint8: false)).graph
        let requantize = graph.nodes.compactMap { node -> RequantizeAttributes? in
            if case .requantize(let a) = node.op { return a } else { return nil }
        }
        // r0 has threshold 3 (scale 3/127, zero point 0): Relu → lower 0. r1 threshold 4: Clip(0, 6) → 0...127.
        #expect(requantize.map(\.bounds) == [IntegerBounds(lower: 0), IntegerBounds(lower: 0, upper: 127)])
    }

    /// Integer results against the simulated QDQ graph: each int8 tensor equal or one apart, almost all equal.
    @Test(arguments: [false, true]) func integerMatchesSimulation(uint8: Bool) throws {
        var qdq = try Self.quantized(Self.network(channels: 16), uint8: uint8)
        let probes = qdq.nodes.filter { if case .quantizeLinear = $0.op { true } else { false } }.map(\.outputs[0])
        qdq.outputs += probes.map { ValueInfo(name: $0, dtype: nil, shape: nil) }
        let realized = try Realize.run(qdq).graph
        let backend = CPUBackend(threads: 2)
        let (simulated, integer) = (try backend.compile(qdq), try backend.compile(realized))
        var equal = 0, total = 0
        for seed in 0..<4 {
            let feeds = ["x": Self.input(seed: seed)]
            let a = try simulated.run(feeds), b = try integer.run(feeds)
            // Compare the first quantized tensor after the input: before any difference can propagate.
            for name in probes.prefix(2) {
                let x = a[name]!.int64Values(), y = b[name]!.int64Values()
                #expect(x.count == y.count)
                #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1 }, "\(name) differs by more than 1")
                equal += zip(x, y).filter { $0 == $1 }.count
                total += x.count
            }
            #expect(relativeError(b["y"]!.floatValues(), a["y"]!.floatValues()) < 0.05)
        }
        #expect(Double(equal) / Double(total) > 0.99)
    }

    @Test func floatFirstConvStaysFloatWithItsReason() throws {
        let realized = try Realize.run(Self.quantized(Self.network(), skipFirst: true))
        let conv0 = try #require(realized.report.entries.first { $0.node == "conv0" })
        #expect(conv0.integer == nil)
        #expect(conv0.reason?.contains("not the output of a DequantizeLinear") == true)
        #expect(!conv0.failedToLower && realized.report.warnings.isEmpty, "a conv left float on purpose is no warning")
        #expect(realized.report.entries.first { $0.node == "dw" }?.integer == "ConvInteger + Requantize")
        #expect(realized.report.text.contains("float    Conv \"conv0\""))
    }

    /// Hostile parameters leave the node float with a reason; nothing traps.
    @Test(arguments: [Float.nan, 0, -0.5, .infinity]) func badScalesStayFloat(_ scale: Float) throws {
        var qdq = try Self.quantized(Self.network())
        let dqScale = try #require(qdq.nodes.first { $0.name.hasPrefix("r0_DequantizeLinear") }?.inputs[1])
        qdq.initializers[dqScale] = .scalar(scale)
        let realized = try Realize.run(qdq)
        let dw = try #require(realized.report.entries.first { $0.node == "dw" })
        #expect(dw.integer == nil)
        #expect(dw.reason?.contains("not a positive finite number") == true)
        #expect(dw.failedToLower)
        #expect(realized.report.warnings.contains { $0.hasPrefix("Conv \"dw\" runs in float") })
    }

    /// A stored bias with a scale other than sx·sw (one bias shared by two convolutions) is requantized.
    @Test func biasWithAnotherScaleIsRequantized() throws {
        var qdq = try Self.quantized(Self.network())
        let dq = try #require(qdq.nodes.first { $0.name.hasPrefix("b1_DequantizeLinear") })
        let scales = qdq.initializers[dq.inputs[1]]!.floatValues()
        qdq.initializers[dq.inputs[1]] = Tensor(shape: [8], floats: scales.map { $0 * 2 })
        let realized = try Realize.run(qdq)
        #expect(realized.report.entries.first { $0.node == "dw" }?.integer == "ConvInteger + Requantize")
        let conv = try #require(realized.graph.nodes.first { $0.name == "dw" })
        let bias = try #require(realized.graph.initializers[conv.inputs[2]])
        let stored = qdq.initializers[dq.inputs[0]]!.int64Values()
        // Twice the scale: the same float bias is twice the stored integers in units of sx·sw.
        #expect(bias.int64Values() == stored.map { 2 * $0 })
    }

    @Test func pathologicalBiasStaysFloat() throws {
        var qdq = try Self.quantized(Self.network())
        let dq = try #require(qdq.nodes.first { $0.name.hasPrefix("b1_DequantizeLinear") })
        qdq.initializers[dq.inputs[1]] = Tensor(shape: [8], floats: Array(repeating: 1e30, count: 8))
        let reason = try #require(try Realize.run(qdq).report.entries.first { $0.node == "dw" }?.reason)
        #expect(reason.contains("overflows int32"))
    }

    /// A tensor quantized per channel: the conv before it requantizes per channel, the depthwise conv after
    /// it folds the scales into its ratios; the Add that also reads it stays float and says why.
    @Test func perChannelActivationsIntoDepthwise() throws {
        var qdq = try Self.quantized(Self.network())
        let q = try #require(qdq.nodes.first { $0.name.hasPrefix("r0_QuantizeLinear") })
        let scales: [Float] = (0..<8).map { 0.004 + Float($0) * 0.003 }
        qdq.initializers[q.inputs[1]] = Tensor(shape: [8], floats: scales)
        qdq.initializers[q.inputs[2]] = Tensor(shape: [8], int8s: Array(repeating: 0, count: 8))
        let realized = try Realize.run(qdq)
        let report = realized.report
        #expect(report.entries.first { $0.node == "conv0" }?.integer == "ConvInteger + Requantize")
        #expect(report.entries.first { $0.node == "dw" }?.integer == "ConvInteger + Requantize")
        #expect(report.entries.first { $0.node == "add" }?.reason?.contains("per tensor") == true)
        let ratio = { (node: String) -> [Float] in
            let n = realized.graph.nodes.first { $0.name.hasPrefix(node + "_requantize") }!
            return realized.graph.initializers[n.inputs[1]]!.floatValues()
        }
        #expect(ratio("conv0").count == 8 && ratio("dw").count == 8)
        let backend = CPUBackend(threads: 2)
        var probed = qdq
        probed.outputs.append(ValueInfo(name: q.outputs[0], dtype: nil, shape: nil))
        let lowered = try Realize.run(probed).graph
        for seed in 0..<3 {
            let feeds = ["x": Self.input(seed: seed)]
            let a = try backend.compile(probed).run(feeds)[q.outputs[0]]!.int64Values()
            let b = try backend.compile(lowered).run(feeds)[q.outputs[0]]!.int64Values()
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1 })
        }
    }

    /// Ops that select values run on the integers when their Q/DQ share one scale; interpolation does not.
    @Test(arguments: [(ResizeAttributes.Mode.nearest, true), (.linear, false)])
    func selectingOpsRunOnIntegers(mode: ResizeAttributes.Mode, lowers: Bool) throws {
        let graph = Graph(
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(2), .fixed(3), .fixed(3)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "q", op: .quantizeLinear(axis: 1), inputs: ["x", "s", "z"], outputs: ["xq"]),
                Node(name: "dq", op: .dequantizeLinear(axis: 1), inputs: ["xq", "s", "z"], outputs: ["xd"]),
                Node(name: "resize", op: .resize(ResizeAttributes(mode: mode)), inputs: ["xd", "", "scales"], outputs: ["r"]),
                Node(name: "q2", op: .quantizeLinear(axis: 1), inputs: ["r", "s", "z"], outputs: ["rq"]),
                Node(name: "dq2", op: .dequantizeLinear(axis: 1), inputs: ["rq", "s", "z"], outputs: ["y"]),
            ],
            initializers: ["s": .scalar(0.1), "z": Tensor(shape: [], int8s: [3]),
                           "scales": Tensor(shape: [4], floats: [1, 1, 2, 2])]).withShapes()
        let realized = try Realize.run(graph)
        let resize = try #require(realized.graph.nodes.first { $0.name == "resize" })
        #expect((realized.graph.valueInfo[resize.outputs[0]]?.dtype == .i8) == lowers)
        #expect((realized.report.entries.first?.integer != nil) == lowers, "\(realized.report.text)")
        let x = Tensor(shape: [1, 2, 3, 3], floats: (0..<18).map { Float($0) * 0.37 - 2 })
        let backend = CPUBackend(threads: 1)
        let a = try backend.compile(graph).run(["x": x])["y"]!, b = try backend.compile(realized.graph).run(["x": x])["y"]!
        #expect(a == b)
    }

    /// An Add whose sum the model also reads as float stays float, without a warning: that is the model's
    /// choice, not a group that failed.
    @Test func floatResultIsNoWarning() throws {
        var qdq = try Self.quantized(Self.network())
        qdq.outputs.append(ValueInfo(name: "s", dtype: nil, shape: nil))
        let realized = try Realize.run(qdq)
        let add = try #require(realized.report.entries.first { $0.node == "add" })
        #expect(add.integer == nil && add.reason?.contains("graph output") == true)
        #expect(realized.report.warnings.isEmpty, "\(realized.report.warnings)")
    }

    @Test func floatGraphIsUnchanged() throws {
        let graph = Self.network()
        #expect(!Realize.isQuantized(graph))
        #expect(try Realize.run(graph).graph.nodes.map(\.op) == graph.nodes.map(\.op))
    }
}

extension Graph {
    fileprivate func withShapes() -> Graph { (try? inferringShapes()) ?? self }
}
