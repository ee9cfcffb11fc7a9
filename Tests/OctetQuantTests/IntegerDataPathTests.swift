import OctetIR
import OctetQuant
import Testing

/// Only float values are quantized. Detectors compute shapes on the data path (Shape → Concat → Reshape); a
/// QuantizeLinear there made a YOLO export into a file neither onnxruntime nor Octet would load.
@Suite struct IntegerDataPathTests {
    @Test func integerTensorsAreNeverQuantized() throws {
        let graph = try Graph(
            name: "shapes",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(2), .fixed(4), .fixed(4)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil), ValueInfo(name: "both", dtype: .i64, shape: nil),
                      ValueInfo(name: "sum", dtype: .i64, shape: nil)],
            nodes: [
                Node(name: "conv", op: .conv(ConvAttributes()), inputs: ["x", "w"], outputs: ["y"]),
                Node(name: "shape_a", op: .shape(start: 0, end: nil), inputs: ["y"], outputs: ["sa"]),
                Node(name: "shape_b", op: .shape(start: 0, end: nil), inputs: ["x"], outputs: ["sb"]),
                Node(name: "concat_shapes", op: .concat(axis: 0), inputs: ["sa", "sb"], outputs: ["both"]),
                Node(name: "add_shapes", op: .binary(.add), inputs: ["sa", "sb"], outputs: ["sum"]),
            ],
            initializers: ["w": Tensor(shape: [3, 2, 1, 1], floats: [1, 0.5, -1, 0.25, 2, -0.5])]).inferringShapes()
        var config = QuantizationConfig()
        config.skipConv = []
        let plan = try Quantizer(config: config).plan(graph)
        #expect(plan.quantizedNodes == ["conv"], "\(plan.quantizedNodes)")
        #expect(!plan.activations.contains("sa") && !plan.activations.contains("sb"), "\(plan.activations)")
    }
}
