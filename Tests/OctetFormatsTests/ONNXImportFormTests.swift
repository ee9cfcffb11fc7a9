import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

/// How old forms and file layouts come out of the importer (fixtures from Scripts/make-legacy-opset-fixtures.py).
@Suite struct ONNXImportFormTests {
    func legacy(_ name: String) throws -> Graph {
        try ONNXImporter.load(path: Paths.fixture("legacy-opset/\(name)/model.onnx").path).graph
    }

    /// Clip-6's attributes become scalar initializers named after the (generated) node name.
    @Test func clipAttributesBecomeInputs() throws {
        let graph = try legacy("clip6")
        let node = try #require(graph.nodes.first)
        #expect(node.name == "Clip_0")
        #expect(node.op == .clip)
        #expect(node.inputs == ["x", "Clip_0_min", "Clip_0_max"])
        #expect(graph.initializers["Clip_0_min"] == .scalar(-0.5))
        #expect(graph.initializers["Clip_0_max"] == .scalar(0.7))
    }

    @Test func upsampleBecomesResize() throws {
        let node = try #require(try legacy("upsample7_nearest").nodes.first)
        guard case .resize(let r) = node.op else { Issue.record("\(node.op)"); return }
        #expect(r.mode == .nearest && r.coordinateTransformation == .asymmetric && r.nearestMode == .floor)
        #expect(node.inputs == ["x", "", "Upsample_0_scales"])
    }

    /// Softmax-1 on a non-last axis is Shape, Flatten, Softmax(-1), Reshape; the last node keeps the name.
    @Test func oldSoftmaxExpands() throws {
        let graph = try legacy("softmax1_axis1")
        #expect(graph.nodes.map(\.op.onnxName) == ["Shape", "Flatten", "Softmax", "Reshape"])
        #expect(graph.nodes.last?.name == "Softmax_0")
        #expect(graph.nodes.last?.outputs == ["y"])
        #expect(try legacy("softmax11_last_axis").nodes.map(\.op) == [.softmax(axis: 3)])
    }

    /// Opset 11's empty roi and scales are omitted inputs in the newest form.
    @Test func emptyResizeInputsAreOmitted() throws {
        let node = try #require(try legacy("resize11_sizes").nodes.first)
        #expect(node.inputs == ["x", "", "", "sz"])
    }

    @Test func constantsBecomeInitializers() throws {
        let graph = try legacy("constant12_lists")
        #expect(graph.initializers["c"] == Tensor(shape: [5], floats: [1, 2, 3, 4, 5]))
        #expect(graph.initializers["shape"] == Tensor(shape: [2], int64s: [6, 20]))
        #expect(!graph.nodes.contains { $0.op.onnxName == "Constant" })
    }

    /// External data: read from beside the model at the given offset; lengths and locations are checked.
    @Test(arguments: [
        ("w.bin", 4, 8, nil as String?),
        ("w.bin", 4, 12, "length 12"),
        ("w.bin", 8, 8, "fewer than offset"),
        ("../w.bin", 4, 8, "outside the model's folder"),
        ("missing.bin", 0, 8, "cannot open"),
    ])
    func externalData(_ location: String, _ offset: Int, _ length: Int, _ expectedError: String?) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-ext-\(UUID().uuidString)")
        let modelDir = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var payload: [UInt8] = [9, 9, 9, 9]
        for v in [Float(1.5), -2] { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload += $0 } }
        try Data(payload).write(to: modelDir.appendingPathComponent("w.bin"))
        try Data(payload).write(to: dir.appendingPathComponent("w.bin"))

        func entry(_ key: String, _ value: String) -> [UInt8] {
            var e = WireBytes()
            e.string(1, key)
            e.string(2, value)
            return e.bytes
        }
        var tensor = WireBytes()
        tensor.lengthDelimited(1, WireBytes.packedVarints([2]))
        tensor.int(2, 1)
        tensor.string(8, "w")
        tensor.lengthDelimited(13, entry("location", location))
        tensor.lengthDelimited(13, entry("offset", String(offset)))
        tensor.lengthDelimited(13, entry("length", String(length)))
        tensor.int(14, 1)
        var node = WireBytes()
        node.string(1, "w"); node.string(2, "y"); node.string(4, "Identity")
        var output = WireBytes()
        output.string(1, "y")
        var graph = WireBytes()
        graph.lengthDelimited(1, node.bytes)
        graph.string(2, "g")
        graph.lengthDelimited(5, tensor.bytes)
        graph.lengthDelimited(12, output.bytes)
        var opset = WireBytes()
        opset.int(2, 13)
        var model = WireBytes()
        model.int(1, 8)
        model.lengthDelimited(7, graph.bytes)
        model.lengthDelimited(8, opset.bytes)
        let path = modelDir.appendingPathComponent("m.onnx").path
        try Data(model.bytes).write(to: URL(fileURLWithPath: path))

        if let expectedError {
            let error = try #require(throws: FormatError.self) { try ONNXImporter.load(path: path) }
            #expect(error.message.contains(expectedError), "\(error.message)")
        } else {
            let graph = try ONNXImporter.load(path: path).graph
            #expect(graph.initializers["w"] == Tensor(shape: [2], floats: [1.5, -2]))
            #expect(graph.nodes.map(\.op) == [.identity])
        }
    }
}
