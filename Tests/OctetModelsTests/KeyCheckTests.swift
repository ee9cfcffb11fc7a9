import OctetIR
import OctetModels
import Testing

@Suite("Binding weights: every key checked, the first mismatch named")
struct KeyCheckTests {
    private func build(_ entries: [(String, Tensor)], numClasses: Int? = nil) -> String {
        errorText { try ModelZoo.build(arch: "resnet18", weights: entries, numClasses: numClasses) }
    }

    @Test("a wrong shape names the key, the expected and the found shape")
    func wrongShape() {
        let broken = Synthetic.replacing("layer2.0.conv1.weight",
                                         with: .zeros(.f32, shape: [64, 64, 3, 3]), in: Synthetic.resnet18)
        #expect(build(broken) == "layer2.0.conv1.weight: expected [128, 64, 3, 3], found [64, 64, 3, 3]")
    }

    @Test("the first mismatch in network order is the one named")
    func firstMismatch() {
        var broken = Synthetic.replacing("layer3.1.bn2.running_var", with: .zeros(.f32, shape: [3]),
                                         in: Synthetic.resnet18)
        broken = Synthetic.replacing("layer1.0.bn1.bias", with: .zeros(.f32, shape: [65]), in: broken)
        #expect(build(broken) == "layer1.0.bn1.bias: expected [64], found [65]")
    }

    @Test("a missing key is named with the shape it should have")
    func missing() {
        let missing = Synthetic.replacing("layer4.0.downsample.1.running_mean", with: nil, in: Synthetic.resnet18)
        #expect(build(missing) == "layer4.0.downsample.1.running_mean: missing (expected [512])")
    }

    @Test("keys nothing reads are an error listing up to five; num_batches_tracked is not one")
    func extraKeys() {
        let extra = (0..<7).map { ("head.\($0).weight", Tensor.zeros(.f32, shape: [2])) }
        #expect(build(Synthetic.resnet18 + extra.prefix(2))
                == "2 unused keys the architecture does not read: head.0.weight, head.1.weight")
        #expect(build(Synthetic.resnet18 + extra)
                == "7 unused keys the architecture does not read: "
                + "head.0.weight, head.1.weight, head.2.weight, head.3.weight, head.4.weight, ...")
        #expect(build(Synthetic.resnet18 + [("num_batches_tracked", Tensor(shape: [], int64s: [3]))]) == "")
    }

    @Test("integer tensors are refused; half-precision ones are widened to f32")
    func elementTypes() throws {
        let ints = Synthetic.replacing("fc.bias", with: Tensor(shape: [1000], int64s: Array(repeating: 1, count: 1000)),
                                       in: Synthetic.resnet18)
        #expect(build(ints) == "fc.bias: expected a float tensor, found \(DType.i64)")
        let half = Synthetic.replacing("fc.bias", with: Tensor(shape: [1000], storage: .f16(Array(repeating: 0.5,
                                                                                                   count: 1000))),
                                       in: Synthetic.resnet18)
        let graph = try ModelZoo.build(arch: "resnet18", weights: half)
        #expect(graph.initializers["fc.bias"] == Tensor(shape: [1000], floats: Array(repeating: 0.5, count: 1000)))
    }

    @Test("the class count comes from the head; --num-classes must agree with it")
    func numClasses() throws {
        let ten = Synthetic.weights(ResNet.resnet18, numClasses: 10)
        let graph = try ModelZoo.build(arch: "resnet18", weights: ten)
        #expect(graph.outputs.first?.shape == [.symbolic("batch"), .fixed(10)])
        #expect(try ModelZoo.build(arch: "resnet18", weights: ten, numClasses: 10).outputs == graph.outputs)
        #expect(build(ten, numClasses: 1000) == "fc.weight [10, 512] holds 10 classes, 1000 were asked for")
        #expect(build(ten, numClasses: 0) == "the number of classes must be at least 1, not 0")
        let badBias = Synthetic.replacing("fc.bias", with: .zeros(.f32, shape: [11]), in: ten)
        #expect(build(badBias) == "fc.bias: expected [10], found [11]")
    }

    @Test("weights for another architecture fail at their first key")
    func wrongArchitecture() {
        let mobile = Synthetic.weights(MobileNetV2())
        #expect(build(mobile) == "conv1.weight: missing (expected [64, 3, 7, 7])")
        let resnet34 = errorText { try ModelZoo.build(arch: "resnet34", weights: Synthetic.resnet18) }
        #expect(resnet34 == "layer1.2.conv1.weight: missing (expected [64, 64, 3, 3])")
    }
}
