import Foundation
import OctetCPU
import OctetFormats
import OctetIR
import OctetModels
import OctetTestSupport
import Testing

@Suite("Graphs from weights run on the CPU and agree with PyTorch")
struct RealWeightsTests {
    @Test("resnet18 from random weights of the right shapes runs and gives [batch, classes]")
    func randomResNet18() throws {
        var seed: UInt64 = 0
        let weights = Synthetic.weights(ResNet.resnet18, numClasses: 10) { spec in
            seed += 1
            let count = spec.shape.reduce(1, *)
            if spec.key.hasSuffix("running_var") { return Array(repeating: 1, count: count) }
            // He-like scale so activations neither vanish nor blow up through 18 layers.
            let fanIn = spec.shape.count > 1 ? spec.shape.dropFirst().reduce(1, *) : 1
            return Synthetic.seededFloats(count, seed: seed, scale: (3 / Float(fanIn)).squareRoot())
        }
        let graph = try ModelZoo.build(arch: "resnet18", weights: weights)
        let input = Tensor(shape: [2, 3, 224, 224], floats: Synthetic.seededFloats(2 * 3 * 224 * 224, seed: 99, scale: 2))
        let outputs = try CPUBackend().compile(graph).run(["input": input])
        let logits = try #require(outputs["logits"])
        #expect(logits.shape == [2, 10])
        let values = logits.floatValues()
        #expect(values.allSatisfy { $0.isFinite })
        #expect(values[0..<10] != values[10..<20], "two different images gave the same logits")
    }

    struct Case: Sendable, CustomStringConvertible {
        var arch: String
        var weights: String
        /// The `Fixtures/torch/<name>` folder whose input.npy feeds the graph.
        var inputFrom: String
        var description: String { arch }
    }

    /// Logits from `Scripts/make-torch-references.py` (torch 1.13 on the same weights and photos).
    @Test("logits match torch's on dev photos", arguments: [
        Case(arch: "mobilenet_v2", weights: "mobilenet_v2-b0353104.pth", inputFrom: "mobilenet_v2"),
        Case(arch: "efficientnet_lite0", weights: "efficientnet-lite0-57934424.pth", inputFrom: "efficientnet_lite0"),
        Case(arch: "efficientnet_lite1", weights: "efficientnet-lite1-77cc7160.pth", inputFrom: "efficientnet_lite1"),
        Case(arch: "efficientnet_lite2", weights: "efficientnet-lite2-9656183e.pth", inputFrom: "efficientnet_lite2"),
        Case(arch: "resnet18", weights: "weights.pth", inputFrom: "mobilenet_v2"),
    ])
    func matchesTorch(_ c: Case) throws {
        let path = Paths.cache("weights/" + c.weights)
        guard Paths.exists(path) else {
            try Skip.missingData("\(c.arch): .cache/weights/\(c.weights) is missing (run Scripts/fetch-weights.sh)")
            return
        }
        let graph = try ModelZoo.build(arch: c.arch, weights: try PyTorchFile.load(path: path.path))
        let input = try NPY.read(path: Paths.fixture("torch/\(c.inputFrom)/input.npy").path)
        let expected = try NPY.read(path: Paths.fixture("torch/\(c.arch)/logits.npy").path)
        let logits = try #require(try CPUBackend().compile(graph).run(["input": input])["logits"])
        let error = relativeError(logits, expected)
        let worst = zip(logits.floatValues(), expected.floatValues()).map { abs($0 - $1) }.max() ?? 0
        let scale = expected.floatValues().map(abs).max() ?? 0
        print("\(c.arch): relative error \(error), max |difference| / max |logit| \(worst / scale) over \(expected.shape)")
        #expect(error <= Tolerance.realModelRelative)
        #expect(argmaxRows(logits) == argmaxRows(expected))
    }

    private func argmaxRows(_ t: Tensor) -> [Int] {
        let values = t.floatValues(), width = t.shape.last ?? 1
        return stride(from: 0, to: values.count, by: width).map { start in
            values[start..<start + width].indices.max { values[$0] < values[$1] }.map { $0 - start } ?? -1
        }
    }
}
