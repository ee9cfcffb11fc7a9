import Foundation
import OctetCPU
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

/// One row of `Fixtures/reference/manifest.tsv`: a model, its input, and the outputs onnxruntime computed.
struct RealModel: Sendable, CustomTestStringConvertible {
    var name: String
    var modelPath: String
    var inputName: String
    var outputNames: [String]

    var testDescription: String { name }

    static func manifest() -> [RealModel] {
        guard let text = try? String(contentsOf: Paths.fixture("reference/manifest.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 4 else { return nil }
            return RealModel(name: f[0], modelPath: f[1], inputName: f[2], outputNames: f[3].split(separator: ",").map(String.init))
        }
    }
}

@Suite struct RealModelTests {
    @Test func manifestListsModels() {
        #expect(RealModel.manifest().count >= 2)
    }

    /// The CPU backend reproduces onnxruntime's outputs on whole real models.
    @Test(arguments: RealModel.manifest())
    func matchesOnnxRuntime(_ model: RealModel) throws {
        let path = Paths.root.appendingPathComponent(model.modelPath)
        guard Paths.exists(path) else {
            try Skip.missingData("\(model.name): \(model.modelPath) is missing (run Scripts/fetch-models.sh)")
            return
        }
        let folder = Paths.fixture("reference/\(model.name)")
        // A model in the manifest that stops importing is a failure, not a skip.
        let graph = try ONNXImporter.load(path: path.path).graph
        let input = try NPY.read(path: folder.appendingPathComponent("input.npy").path)
        let compiled = try CPUBackend().compile(graph)
        let start = Date()
        let outputs = try compiled.run([model.inputName: input])
        let seconds = Date().timeIntervalSince(start)
        for (i, name) in model.outputNames.enumerated() {
            let expected = try NPY.read(path: folder.appendingPathComponent("output_\(i).npy").path)
            let actual = try #require(outputs[name], "no output \(name)")
            #expect(actual.shape == expected.shape)
            let error = relativeError(actual, expected)
            print("real model \(model.name) output \(name): relative error \(error), \(String(format: "%.2f", seconds)) s")
            #expect(error <= Tolerance.realModelRelative, "\(model.name) \(name): relative error \(error)")
        }
    }
}
