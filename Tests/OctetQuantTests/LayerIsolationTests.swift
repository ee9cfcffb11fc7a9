import OctetCPU
import OctetIR
import OctetQuant
import Testing

/// `octet compare`'s layer shares: a QDQ graph with all quantized layers but one put back to float.
@Suite struct LayerIsolationTests {
    /// x -> Conv 3x3 (2 -> 3) -> Relu -> Conv 1x1 (3 -> 2) -> y
    static func network() throws -> Graph {
        var padded = ConvAttributes()
        padded.pads = [1, 1, 1, 1]
        let w0 = Tensor(shape: [3, 2, 3, 3], floats: (0..<54).map { Float(($0 * 13) % 17) / 8 - 1 })
        let w1 = Tensor(shape: [2, 3, 1, 1], floats: [0.5, -1.25, 0.75, 1.5, 0.25, -0.5])
        return try Graph(
            name: "two convs",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(2), .fixed(5), .fixed(5)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "conv0", op: .conv(padded), inputs: ["x", "w0"], outputs: ["c0"]),
                Node(name: "relu", op: .unary(.relu), inputs: ["c0"], outputs: ["r0"]),
                Node(name: "conv1", op: .conv(ConvAttributes()), inputs: ["r0", "w1"], outputs: ["y"]),
            ],
            initializers: ["w0": w0, "w1": w1]).inferringShapes()
    }

    static let input = Tensor(shape: [1, 2, 5, 5], floats: (0..<50).map { Float(($0 * 29) % 31) / 10 - 1.5 })

    /// The QDQ graph from max ranges observed on the input.
    static func quantized(_ float: Graph) throws -> Graph {
        var config = QuantizationConfig()
        config.skipConv = []
        config.mode = .max
        let quantizer = Quantizer(config: config)
        let plan = try quantizer.plan(float)
        let run = CalibrationRun(graph: float, tensors: plan.activations, histogramBins: nil, backend: CPUBackend(threads: 1))
        let observers = try run.observe(open: {
            var pending = [["x": Self.input]]
            return { pending.isEmpty ? nil : pending.removeFirst() }
        })
        return try quantizer.quantize(float, plan: plan, ranges: config.ranges(observers, plan: plan))
    }

    static func output(_ graph: Graph) throws -> [Float] {
        try #require(try CPUBackend(threads: 1).compile(graph).run(["x": input])["y"]).floatValues()
    }

    @Test("The layers are the nodes that read quantized values, in order")
    func layersAreTheQuantizedNodes() throws {
        let float = try Self.network()
        #expect(LayerIsolation.layers(quantized: try Self.quantized(float), float: float) == ["conv0", "conv1"])
    }

    @Test("Keeping one layer leaves only it reading quantized values, with float weights elsewhere")
    func keepingOneLayer() throws {
        let float = try Self.network()
        let quantized = try Self.quantized(float)
        let alone = LayerIsolation.keeping("conv1", quantized: quantized, float: float)
        let readers = alone.nodes.filter { $0.inputs.contains { $0.hasSuffix("_dequantized") } }.map(\.name)
        #expect(readers.contains("conv1"))
        #expect(!readers.contains("conv0"))
        let conv0 = try #require(alone.nodes.first { $0.name == "conv0" })
        #expect(conv0.inputs == ["x", "w0"])
        #expect(alone.initializers["w0"] == float.initializers["w0"])
        // Only conv1's part of the error is left: between the float model's output and the whole int8 one.
        let want = try Self.output(float), all = try Self.output(quantized), one = try Self.output(alone)
        func error(_ got: [Float]) -> Float { zip(got, want).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
        #expect(error(one) > 0)
        #expect(error(one) < error(all))
    }

    @Test("Keeping no layer gives the float model's output, bit for bit")
    func keepingNothingIsFloat() throws {
        let float = try Self.network()
        let none = LayerIsolation.keeping("", quantized: try Self.quantized(float), float: float)
        #expect(!none.nodes.contains { $0.inputs.contains { $0.hasSuffix("_dequantized") } })
        #expect(try Self.output(none) == Self.output(float))
    }
}
