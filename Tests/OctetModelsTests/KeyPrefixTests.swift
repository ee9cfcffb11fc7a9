import OctetFormats
import OctetIR
import OctetModels
import Testing

@Suite("Key prefixes: wrapped checkpoints are unwrapped")
struct KeyPrefixTests {
    private let expected = ResNet.resnet18.expectedParameters().map(\.key)

    private func resolve(_ entries: [(String, Tensor)], explicit: String? = nil) throws -> KeyPrefix {
        try KeyPrefix.resolve(StateDict(entries: entries.map { (key: $0.0, tensor: $0.1) }), expected: expected,
                              explicit: explicit)
    }

    private static let optimizer: [(String, Tensor)] = [
        ("optimizer.state.0.momentum_buffer", .zeros(.f32, shape: [64, 3, 7, 7])),
        ("optimizer.param_groups.0.lr", .scalar(0.1)),
    ]

    @Test("a common prefix is found and stripped", arguments: ["", "module.", "backbone.", "model.", "net.0.encoder."])
    func commonPrefix(prefix: String) throws {
        let wrapped = Synthetic.weights(ResNet.resnet18, prefix: prefix)
        #expect(try resolve(wrapped) == KeyPrefix(prefix: prefix, leftOut: 0))
        let graph = try ModelZoo.build(arch: "resnet18", weights: wrapped)
        #expect(graph.initializers["layer1.0.conv1.weight"]?.shape == [64, 64, 3, 3])
    }

    @Test("a state_dict or model entry beside optimizer state is unwrapped, the rest left out",
          arguments: ["state_dict.", "model.", "state_dict.module.", "model_state_dict."])
    func container(prefix: String) throws {
        let checkpoint = Synthetic.weights(ResNet.resnet18, prefix: prefix) + Self.optimizer
        #expect(try resolve(checkpoint) == KeyPrefix(prefix: prefix, leftOut: 2))
        let graph = try ModelZoo.build(arch: "resnet18", weights: checkpoint)
        #expect(graph.outputs.first?.shape == [.symbolic("batch"), .fixed(1000)])
    }

    @Test("entries beside a prefix that is not a container are reported, not dropped")
    func strayEntries() {
        let checkpoint = Synthetic.weights(ResNet.resnet18, prefix: "backbone.")
            + [("head.weight", Tensor.zeros(.f32, shape: [4]))]
        #expect(errorText { try ModelZoo.build(arch: "resnet18", weights: checkpoint) }
                == "1 unused key the architecture does not read: head.weight (keys read without the prefix \"backbone.\")")
    }

    @Test("mismatches under a prefix say which prefix was stripped")
    func messageNamesPrefix() {
        let wrapped = Synthetic.replacing("module.fc.bias", with: .zeros(.f32, shape: [3]),
                                          in: Synthetic.weights(ResNet.resnet18, prefix: "module."))
        #expect(errorText { try ModelZoo.build(arch: "resnet18", weights: wrapped) }
                == "fc.bias: expected [1000], found [3] (keys read without the prefix \"module.\")")
    }

    @Test("an explicit prefix is used as given, with or without its dot")
    func explicitPrefix() throws {
        // Two complete copies: inference would prefer the shorter; the explicit choice wins.
        let twoCopies = Synthetic.weights(ResNet.resnet18, prefix: "ema.") + Synthetic.weights(ResNet.resnet18,
                                                                                               prefix: "student.")
        #expect(try resolve(twoCopies) == KeyPrefix(prefix: "ema.", leftOut: 0))
        #expect(try resolve(twoCopies, explicit: "student") == KeyPrefix(prefix: "student.", leftOut: twoCopies.count / 2))
        let graph = try ModelZoo.build(arch: "resnet18", weights: twoCopies, stripPrefix: "student.")
        #expect(graph.outputs.first?.shape == [.symbolic("batch"), .fixed(1000)])
        #expect(errorText { try resolve(twoCopies, explicit: "teacher") }
                == "no key starts with the prefix \"teacher.\"")
    }

    @Test("keys that already match keep no prefix even when a wrapped copy exists")
    func barePreferred() throws {
        let both = Synthetic.resnet18 + Synthetic.weights(ResNet.resnet18, prefix: "module.")
        #expect(try resolve(both) == KeyPrefix(prefix: "", leftOut: 0))
    }
}
