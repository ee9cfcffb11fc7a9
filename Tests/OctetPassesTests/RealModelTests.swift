import Foundation
import OctetCPU
import OctetFormats
import OctetIR
import OctetPasses
import OctetTestSupport
import Testing

/// Shape inference and Canonicalize over the real models: every value gets a shape, the canonical graph
/// verifies, and it computes what the imported graph computes.
@Suite("Real models")
struct RealModelTests {
    struct Model: CustomTestStringConvertible, Sendable {
        var name: String
        var url: URL
        var testDescription: String { name }
    }

    static let models: [Model] = [
        Model(name: "mobilenet_v2", url: Paths.fixture("mobilenet_v2.onnx")),
        Model(name: "efficientnet_lite0", url: Paths.fixture("efficientnet_lite0.onnx")),
        Model(name: "ppocr_det", url: Paths.cache("models/ch_PP-OCRv4_det_infer.onnx")),
        Model(name: "ppocr_rec", url: Paths.cache("models/ch_PP-OCRv4_rec_infer.onnx")),
        Model(name: "ppocr_cls", url: Paths.cache("models/ch_ppocr_mobile_v2.0_cls_infer.onnx")),
        Model(name: "yolov8n_320", url: Paths.cache("models/320n.onnx")),
    ]

    static func load(_ model: Model) throws -> Graph? {
        guard Paths.exists(model.url) else {
            try Skip.missingData("\(model.url.path) is missing (Scripts/fetch-models.sh fetches it)")
            return nil
        }
        // Every model listed imports today: one that stops importing is a failure, not a skip.
        return try ONNXImporter.load(path: model.url.path).graph
    }

    @Test(arguments: models)
    func everyValueGetsAShape(_ model: Model) throws {
        guard let graph = try Self.load(model) else { return }
        try graph.verify()
        let shaped = try graph.inferringShapes()
        for node in shaped.nodes {
            for out in node.outputs where !out.isEmpty {
                let info = shaped.valueInfo[out]
                #expect(info?.shape != nil && info?.dtype != nil, "\(node.label): output \(out) has no type")
            }
        }
        for out in shaped.outputs {
            #expect(out.shape != nil, "graph output \(out.name) has no shape")
            print("\(model.name): \(out.name) \(out.dtype?.rawValue ?? "?") \(out.shape.map { $0.map(\.description) } ?? [])")
        }
        let inputs = graph.inputs.map { "\($0.name) \($0.shape.map { $0.map(\.description) } ?? [])" }
        print("\(model.name): inputs \(inputs)")
    }

    @Test(arguments: models)
    func canonicalGraphVerifiesAndFoldsBatchNorm(_ model: Model) throws {
        guard let graph = try Self.load(model) else { return }
        let canonical = try Canonicalize(evaluator: CPUBackend()).run(graph)
        try canonical.verify()
        #expect(try Canonicalize(evaluator: CPUBackend()).run(canonical) == canonical)
        let producers = canonical.producers
        for node in canonical.nodes {
            guard case .batchNormalization = node.op, let x = node.input(0), let p = producers[x] else { continue }
            switch canonical.nodes[p].op {
            case .conv, .convTranspose:
                Issue.record("\(node.label) still follows \(canonical.nodes[p].label)")
            default:
                break
            }
        }
        func histogram(_ g: Graph) -> String {
            var h: [String: Int] = [:]
            for n in g.nodes { h[n.op.onnxName, default: 0] += 1 }
            return h.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        print("\(model.name): \(graph.nodes.count) → \(canonical.nodes.count) nodes; before \(histogram(graph)); after \(histogram(canonical))")
        for out in canonical.outputs {
            #expect(out.shape != nil)
        }
    }

    /// The canonical graph (input bound to the reference input's shape) computes what the imported graph
    /// computes on the CPU backend: folding changed nothing but rounding. How both compare with onnxruntime's
    /// output is printed; that comparison belongs to the CPU backend's tests.
    @Test(arguments: models)
    func canonicalGraphComputesWhatTheImportedGraphComputes(_ model: Model) throws {
        let dir = Paths.fixture("reference/\(model.name)")
        guard let graph = try Self.load(model) else { return }
        guard Paths.exists(dir) else {
            try Skip.missingData("no reference input at \(dir.path)")
            return
        }
        let input = try NPY.read(path: dir.appendingPathComponent("input.npy").path)
        let expected = try NPY.read(path: dir.appendingPathComponent("output_0.npy").path)
        let inputName = try #require(graph.inputs.first?.name)
        let bound = try graph.bindingInputShapes([inputName: input.shape])
        let canonical = try Canonicalize(evaluator: CPUBackend()).run(bound)
        try canonical.verify()
        let outputName = canonical.outputs[0].name
        #expect(canonical.outputs[0].staticShape == expected.shape)
        let folded = try #require(try CPUBackend().compile(canonical).run([inputName: input])[outputName])
        let imported = try #require(try CPUBackend().compile(bound).run([inputName: input])[outputName])
        let error = relativeError(folded, imported)
        print("\(model.name) at \(input.shape): \(bound.nodes.count) → \(canonical.nodes.count) nodes, canonical vs imported \(error), "
              + "vs onnxruntime: imported \(relativeError(imported, expected)), canonical \(relativeError(folded, expected))")
        #expect(error <= Tolerance.realModelRelative)
    }
}
