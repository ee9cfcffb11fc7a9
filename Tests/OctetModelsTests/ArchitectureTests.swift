import OctetFormats
import OctetIR
import OctetModels
import OctetTestSupport
import Testing

@Suite("Architectures: expected keys, shapes and graph form")
struct ArchitectureTests {
    /// Trainable parameters (running statistics aside), as torchvision's model documentation lists them.
    @Test("parameter counts match torchvision's", arguments: [
        ("resnet18", 11_689_512), ("resnet34", 21_797_672), ("resnet50", 25_557_032), ("mobilenet_v2", 3_504_872),
    ])
    func parameterCounts(name: String, count: Int) throws {
        let arch = try ModelZoo.architecture(named: name)
        let trainable = arch.expectedParameters().filter { !$0.key.contains("running_") }
        #expect(trainable.map { $0.shape.reduce(1, *) }.reduce(0, +) == count)
    }

    /// The key lists of real files (the reader's fixtures), in file order, `num_batches_tracked` aside.
    @Test("keys and shapes equal those of real state_dicts", arguments: [
        ("mobilenet_v2", "mobilenet_v2_keys.tsv", "", 1000),
        ("efficientnet_lite0", "efficientnet_lite0_keys.tsv", "", 1000),
        ("resnet18", "resnet18_weights_keys.tsv", "backbone.", 10),
    ])
    func keysMatchRealFiles(name: String, file: String, prefix: String, classes: Int) throws {
        let real = try referenceKeys(file).filter { !$0.key.hasSuffix("num_batches_tracked") }
        let expected = try ModelZoo.architecture(named: name).expectedParameters(numClasses: classes)
        #expect(expected.map { ParameterSpec(key: prefix + $0.key, shape: $0.shape) } == real)
    }

    @Test("every architecture builds a graph with unique names, `input` and `logits`", arguments: ModelZoo.names)
    func graphForm(name: String) throws {
        let arch = try ModelZoo.architecture(named: name)
        let graph = try ModelZoo.build(arch: name, weights: Synthetic.weights(arch, numClasses: 7))
        let size = arch.input.size
        #expect(graph.inputs == [ValueInfo(name: "input", dtype: .f32,
                                           shape: [.symbolic("batch"), .fixed(3), .fixed(size), .fixed(size)])])
        #expect(graph.outputs == [ValueInfo(name: "logits", dtype: .f32, shape: [.symbolic("batch"), .fixed(7)])])
        try graph.verify()
        let inferred = try graph.inferringShapes()
        #expect(inferred.valueInfo["logits"]?.shape == [.symbolic("batch"), .fixed(7)])
        #expect(Set(graph.nodes.map(\.name)).count == graph.nodes.count)
        let outputs = graph.nodes.flatMap(\.outputs)
        #expect(Set(outputs).count == outputs.count)
        var defined: Set<String> = ["input"]
        for node in graph.nodes {
            for input in node.inputs where !input.isEmpty {
                #expect(defined.contains(input) || graph.initializers[input] != nil,
                        "\(node.name) reads \(input) before it is defined")
            }
            defined.formUnion(node.outputs)
        }
        #expect(outputs.last == "logits")
        let parameters = arch.expectedParameters(numClasses: 7).map(\.key)
        #expect(Set(parameters).isSubset(of: Set(graph.initializers.keys)))
    }

    /// `octet convert` writes the graph as ONNX: it must encode and read back with the same structure.
    @Test("the graph survives an ONNX round trip")
    func onnxRoundTrip() throws {
        let graph = try ModelZoo.build(arch: "mobilenet_v2", weights: Synthetic.weights(MobileNetV2()))
        let model = try ONNXImporter.decode(try ONNXExporter.encode(graph))
        #expect(model.graph.nodes.map(\.op) == graph.nodes.map(\.op))
        #expect(model.graph.inputs == graph.inputs)
        #expect(model.graph.outputs.map(\.name) == ["logits"])
        #expect(model.graph.initializers == graph.initializers)
    }

    /// TF "SAME": the odd pixel of padding goes bottom/right; sizes that divide evenly pad evenly.
    @Test("EfficientNet-Lite pads as TF SAME for its input size", arguments: [
        ("efficientnet_lite0", "_conv_stem", [0, 0, 1, 1]),                  // 224 -> 112, k3 s2
        ("efficientnet_lite0", "_blocks.1._depthwise_conv", [0, 0, 1, 1]),   // 112 -> 56, k3 s2
        ("efficientnet_lite0", "_blocks.3._depthwise_conv", [1, 1, 2, 2]),   // 56 -> 28, k5 s2
        ("efficientnet_lite0", "_blocks.4._depthwise_conv", [2, 2, 2, 2]),   // 28, k5 s1
        ("efficientnet_lite2", "_blocks.4._depthwise_conv", [2, 2, 2, 2]),   // 65 -> 33, k5 s2
        ("efficientnet_lite2", "_blocks.7._depthwise_conv", [1, 1, 1, 1]),   // 33 -> 17, k3 s2
        ("efficientnet_lite2", "_blocks.15._depthwise_conv", [2, 2, 2, 2]),  // 17 -> 9, k5 s2
    ])
    func samePadding(name: String, node: String, pads: [Int]) throws {
        let arch = try ModelZoo.architecture(named: name)
        let graph = try ModelZoo.build(arch: name, weights: Synthetic.weights(arch))
        let conv = try #require(graph.nodes.first { $0.name == node })
        guard case .conv(let attributes) = conv.op else {
            Issue.record("\(node) is \(conv.op), not a Conv")
            return
        }
        #expect(attributes.pads == pads)
    }

    @Test("unknown architecture names list the known ones; aliases resolve")
    func names() throws {
        #expect(errorText { try ModelZoo.architecture(named: "resnet19") }
                == "unknown architecture \"resnet19\" (known: \(ModelZoo.names.joined(separator: ", ")))")
        #expect(try ModelZoo.architecture(named: "EfficientNet-Lite1").name == "efficientnet_lite1")
    }
}
