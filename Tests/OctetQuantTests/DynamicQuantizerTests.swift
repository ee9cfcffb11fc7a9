import OctetCPU
import OctetFormats
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// `quantize --dynamic`: weights int8, activations quantized per run, in ONNX's standard operators.
@Suite struct DynamicQuantizerTests {
    /// x [4, 64] → Gemm(transB, bias) → Relu → MatMul → y [4, 24]
    static func graph() -> Graph {
        func values(_ n: Int, _ seed: Int) -> [Float] {
            (0..<n).map { i in Float(((i * 7919 + seed * 104_729) % 2001) - 1000) / 1000 * 0.2 }
        }
        return Graph(
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(4), .fixed(64)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "fc1", op: .gemm(GemmAttributes(transB: true)), inputs: ["x", "w1", "b1"], outputs: ["h"]),
                Node(name: "relu", op: .unary(.relu), inputs: ["h"], outputs: ["r"]),
                Node(name: "fc2", op: .matMul, inputs: ["r", "w2"], outputs: ["y"]),
            ],
            initializers: ["w1": Tensor(shape: [48, 64], floats: values(48 * 64, 1)),
                           "b1": Tensor(shape: [48], floats: values(48, 2)),
                           "w2": Tensor(shape: [48, 24], floats: values(48 * 24, 3))])
    }

    static let input = Tensor(shape: [4, 64], floats: (0..<256).map { Float(($0 * 37) % 101) / 50 - 1 })

    @Test func writesStandardOperators() throws {
        let result = try DynamicQuantizer().quantize(Self.graph())
        #expect(result.quantized == ["fc1", "fc2"])
        let ops = result.graph.nodes.map(\.op.onnxName)
        #expect(ops.filter { $0 == "DynamicQuantizeLinear" }.count == 2)
        #expect(ops.filter { $0 == "MatMulInteger" }.count == 2)
        #expect(!ops.contains("Gemm") && !ops.contains("MatMul"))
        #expect(result.graph.initializers["w1"] == nil)
        // ONNX has these operators: the file writes and reads back the same graph.
        let reread = try ONNXImporter.decode(ONNXExporter.encode(result.graph)).graph
        #expect(reread.nodes.map(\.op) == result.graph.nodes.map(\.op))
    }

    /// Close to the float model, and the integer product on the fast kernel equals the reference's.
    @Test(arguments: [true, false]) func runsCloseToFloat(perChannel: Bool) throws {
        let float = Self.graph()
        let dynamic = try DynamicQuantizer(perChannel: perChannel).quantize(float).graph.inferringShapes()
        let backend = CPUBackend(threads: 2)
        let kernels = backend.kernelNames(dynamic)
        #expect(kernels.filter { $0 == "fast integer dense, dynamic zero point" }.count == 2)
        let y = try backend.compile(dynamic).run(["x": Self.input])["y"]!
        let expected = try backend.compile(float).run(["x": Self.input])["y"]!
        #expect(relativeError(y, expected) < 0.02)
        // The first MatMulInteger alone, reference against fast.
        var probe = dynamic
        let mm = try #require(dynamic.nodes.first { if case .matMulInteger = $0.op { true } else { false } })
        probe.outputs = [ValueInfo(name: mm.outputs[0], dtype: nil, shape: nil)] + mm.inputs.filter { !$0.isEmpty }
            .map { ValueInfo(name: $0, dtype: nil, shape: nil) }
        let values = try backend.compile(probe).run(["x": Self.input])
        let reference = try backend.evaluate(mm, inputs: mm.inputs.map { $0.isEmpty ? nil : values[$0] ?? probe.initializers[$0] })[0]
        #expect(values[mm.outputs[0]] == reference)
        #expect(values[mm.inputs[3]]?.int64Values() != [0], "the zero point is 0: the correction went untested")
    }

    @Test func nothingToQuantizeIsAnError() {
        let graph = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: nil)],
                          outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
                          nodes: [Node(name: "relu", op: .unary(.relu), inputs: ["x"], outputs: ["y"])])
        #expect(throws: QuantError.self) { try DynamicQuantizer().quantize(graph) }
    }

    @Test func nonFiniteWeightsStayFloat() throws {
        var graph = Self.graph()
        var w = graph.initializers["w2"]!.floatValues()
        w[5] = .nan
        graph.initializers["w2"] = Tensor(shape: [48, 24], floats: w)
        let result = try DynamicQuantizer().quantize(graph)
        #expect(result.quantized == ["fc1"])
        #expect(result.keptFloat.first?.reason.contains("NaN") == true)
    }
}
