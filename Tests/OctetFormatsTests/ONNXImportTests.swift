import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

@Suite struct ONNXImportTests {
    /// Every node test model of the conformance suite imports, or is refused with "not supported"
    /// (an op, domain, element type or attribute value Octet lacks); nothing else may fail.
    @Test func conformanceNodeModels() throws {
        let root = Paths.cache("onnx-tests/node")
        guard Paths.exists(root) else {
            try Skip.missingData("\(root.path) is missing (run Scripts/fetch-onnx-tests.sh)")
            return
        }
        var imported = 0, unsupportedOp = 0
        var unsupportedFeature: [String] = []
        for test in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let path = root.appendingPathComponent(test).appendingPathComponent("model.onnx").path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                let model = try ONNXImporter.load(path: path)
                #expect(!model.graph.nodes.isEmpty || !model.graph.outputs.isEmpty, "\(test)")
                imported += 1
            } catch let error as FormatError {
                if error.message.contains(": op ") && error.message.hasSuffix("is not supported") {
                    unsupportedOp += 1
                } else {
                    #expect(error.message.contains("not supported"), "\(test): \(error.message)")
                    unsupportedFeature.append("\(test): \(error.message)")
                }
            }
        }
        print("conformance node models: \(imported) imported, \(unsupportedOp) use unsupported ops, "
              + "\(unsupportedFeature.count) use unsupported features of supported ops")
        for line in unsupportedFeature { print("  \(line)") }
        #expect(imported > 300)
    }
}

/// The real models: the two fixtures and the downloaded ones (skipped when absent).
enum RealModels {
    /// Downloaded models the importer refuses, and the op it must name.
    static let refused = ["common_old.onnx": "op DynamicQuantizeLSTM of domain \"com.microsoft\" is not supported"]

    static var paths: [URL] {
        var urls = [Paths.fixture("mobilenet_v2.onnx"), Paths.fixture("efficientnet_lite0.onnx")]
        let cached = Paths.cache("models")
        if let names = try? FileManager.default.contentsOfDirectory(atPath: cached.path) {
            urls += names.filter { $0.hasSuffix(".onnx") && refused[$0] == nil }.sorted().map { cached.appendingPathComponent($0) }
        }
        return urls
    }
}

extension ONNXImportTests {
    /// ddddocr's pre-quantized model: its com.microsoft DynamicQuantizeLSTM is refused by name.
    @Test(arguments: RealModels.refused.keys.sorted())
    func refusedModelNamesTheOp(_ name: String) throws {
        let url = Paths.cache("models/" + name)
        guard Paths.exists(url) else {
            try Skip.missingData("\(url.path) is missing (run Scripts/fetch-models.sh)")
            return
        }
        #expect { try ONNXImporter.load(path: url.path) } throws: { error in
            "\(error)".contains(RealModels.refused[name]!)
        }
    }
}

extension ONNXImportTests {
    @Test(arguments: RealModels.paths)
    func realModelImports(_ url: URL) throws {
        guard Paths.exists(url) else {
            try Skip.missingData("\(url.path) is missing (run Scripts/fetch-models.sh)")
            return
        }
        let model = try ONNXImporter.load(path: url.path)
        let graph = model.graph
        #expect(!graph.inputs.isEmpty && !graph.outputs.isEmpty)
        // Every node input is a graph input, an initializer or an earlier node's output.
        var defined = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        for node in graph.nodes {
            for input in node.inputs where !input.isEmpty {
                #expect(defined.contains(input), "\(url.lastPathComponent): node \(node.name) reads undefined \(input)")
            }
            defined.formUnion(node.outputs)
        }
        for output in graph.outputs { #expect(defined.contains(output.name)) }
        // Node names are unique, generated or not.
        #expect(Set(graph.nodes.map(\.name)).count == graph.nodes.count)
        print("\(url.lastPathComponent): opset \(model.opsetVersion), \(graph.nodes.count) nodes, \(graph.initializers.count) initializers")
    }
}

