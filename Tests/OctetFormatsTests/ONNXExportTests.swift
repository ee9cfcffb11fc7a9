import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

@Suite struct ONNXExportTests {
    /// import -> export -> import gives the same graph, and exporting twice gives the same bytes.
    @Test(arguments: RealModels.paths)
    func realModelRoundTrip(_ url: URL) throws {
        guard Paths.exists(url) else {
            try Skip.missingData("\(url.path) is missing (run Scripts/fetch-models.sh)")
            return
        }
        let model = try ONNXImporter.load(path: url.path)
        let bytes = try ONNXExporter.encode(model.graph)
        let again = try ONNXImporter.decode(bytes)
        #expect(again.opsetVersion == 18)
        #expect(again.graph == model.graph, "\(url.lastPathComponent)")
        #expect(try ONNXExporter.encode(again.graph) == bytes)
    }

    @Test func conformanceRoundTrip() throws {
        let root = Paths.cache("onnx-tests/node")
        guard Paths.exists(root) else {
            try Skip.missingData("\(root.path) is missing (run Scripts/fetch-onnx-tests.sh)")
            return
        }
        var roundTripped = 0
        for test in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let path = root.appendingPathComponent(test).appendingPathComponent("model.onnx").path
            guard let model = try? ONNXImporter.load(path: path) else { continue }
            // NaN never equals itself, so graphs holding NaN weights cannot compare equal.
            if model.graph.initializers.values.contains(where: { $0.floatValues().contains { $0.isNaN } }) { continue }
            let opset = min(max(18, model.opsetVersion), 22)
            let bytes = try ONNXExporter.encode(model.graph, opset: opset)
            let again = try ONNXImporter.decode(bytes)
            #expect(again.graph == model.graph, "\(test)")
            roundTripped += 1
        }
        print("conformance models round-tripped: \(roundTripped)")
        #expect(roundTripped > 300)
    }

    @Test func writeIsAtomicAndReadable() throws {
        let url = Paths.fixture("mobilenet_v2.onnx")
        let graph = try ONNXImporter.load(path: url.path).graph
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.onnx").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: out))
        try ONNXExporter.write(graph, to: out)
        #expect(try ONNXImporter.load(path: out).graph == graph)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.onnx"])
    }

    /// Below opset 18, ReduceMean's axes go back to an attribute and Split's count is implied.
    @Test func olderOpsetExport() throws {
        let graph = Graph(
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(2), .fixed(4)])],
            outputs: [ValueInfo(name: "a", dtype: .f32, shape: nil), ValueInfo(name: "b", dtype: .f32, shape: nil)],
            nodes: [
                Node(name: "mean", op: .reduceMean(keepDims: true, noopWithEmptyAxes: false), inputs: ["x", "axes"], outputs: ["m"]),
                Node(name: "split", op: .split(axis: 1, numOutputs: 2), inputs: ["m"], outputs: ["a", "b"]),
            ],
            initializers: ["axes": Tensor(shape: [1], int64s: [0])])
        let back = try ONNXImporter.decode(try ONNXExporter.encode(graph, opset: 13)).graph
        #expect(back.nodes.map(\.op) == graph.nodes.map(\.op))
        #expect(back.nodes[0].inputs.count == 2)
        #expect(back.initializers[back.nodes[0].inputs[1]] == Tensor(shape: [1], int64s: [0]))
        #expect(throws: FormatError.self) { try ONNXExporter.encode(graph, opset: 12) }
    }

    /// A lowered integer graph has no ONNX form: export refuses it, naming the node; the ops ONNX does have
    /// (ConvInteger without a bias, DynamicQuantizeLinear) write and read back.
    @Test func loweredOpsRefuseExport() throws {
        let requantize = Graph(inputs: [ValueInfo(name: "acc", dtype: .i32, shape: [.fixed(2)])],
                               outputs: [ValueInfo(name: "y", dtype: .i8, shape: nil)],
                               nodes: [Node(name: "rq", op: .requantize(RequantizeAttributes()), inputs: ["acc", "r", "z"],
                                            outputs: ["y"])],
                               initializers: ["r": .scalar(0.5), "z": Tensor(shape: [], int8s: [0])])
        #expect { try ONNXExporter.encode(requantize) } throws: { error in
            "\(error)".contains("\"rq\"") && "\(error)".contains("export the QDQ model")
        }
        let convInteger = Graph(inputs: [ValueInfo(name: "x", dtype: .u8, shape: [.fixed(1), .fixed(1), .fixed(3), .fixed(3)])],
                                outputs: [ValueInfo(name: "y", dtype: .i32, shape: nil)],
                                nodes: [Node(name: "c", op: .convInteger(ConvAttributes()), inputs: ["x", "w", "", "xz"],
                                             outputs: ["y"])],
                                initializers: ["w": Tensor(shape: [1, 1, 1, 1], uint8s: [3]), "xz": Tensor(shape: [], uint8s: [1])])
        let reread = try ONNXImporter.decode(ONNXExporter.encode(convInteger)).graph
        #expect(reread.nodes.first?.inputs == ["x", "w", "", "xz"])
        var withBias = convInteger
        withBias.nodes[0].inputs = ["x", "w", "b", "xz"]
        withBias.initializers["b"] = Tensor(shape: [1], int32s: [5])
        #expect(throws: (any Error).self) { try ONNXExporter.encode(withBias) }
    }
}
