/// torchvision's MobileNetV2 (width 1.0), its key names and layout.
///
/// `features.0` is the stem conv/BN/ReLU6, `features.1`...`features.17` the inverted residual blocks
/// (`features.N.conv.I...`), `features.18` the 1x1 conv to 1280, and `classifier.1` the linear layer
/// (`classifier.0` is dropout, which has no weights).
public struct MobileNetV2: Architecture {
    public let name = "mobilenet_v2"
    public var input: InputConvention { .torchvision }
    public var headKey: String { "classifier.1.weight" }

    public init() {}

    /// (expansion, output channels, repeats, first stride) per stage, from the paper's table 2.
    static let stages: [(expansion: Int, channels: Int, repeats: Int, stride: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]
    static let epsilon: Float = 1e-5

    public func describe(into b: inout NetworkBuilder, numClasses: Int) throws -> NetworkBuilder.Value {
        var x = try convBNReLU6(b.input, "features.0", out: 32, kernel: 3, stride: 2, into: &b)
        var index = 1
        for stage in Self.stages {
            for repeat_ in 0..<stage.repeats {
                x = try invertedResidual(x, "features.\(index)", out: stage.channels, expansion: stage.expansion,
                                         stride: repeat_ == 0 ? stage.stride : 1, into: &b)
                index += 1
            }
        }
        x = try convBNReLU6(x, "features.\(index)", out: 1280, kernel: 1, stride: 1, into: &b)
        return try b.classifier(x, "classifier.1", classes: numClasses)
    }

    /// torchvision's `ConvBNReLU` (a Sequential: `.0` conv, `.1` BN, ReLU6).
    private func convBNReLU6(_ x: NetworkBuilder.Value, _ key: String, out: Int, kernel: Int, stride: Int,
                             groups: Int = 1, into b: inout NetworkBuilder) throws -> NetworkBuilder.Value {
        let y = try b.conv(x, "\(key).0", out: out, kernel: kernel, stride: stride, groups: groups)
        return b.relu6(try b.batchNorm(y, "\(key).1", epsilon: Self.epsilon))
    }

    /// Expand (when the ratio is not 1), depthwise, linear projection; a residual when the shape is kept.
    private func invertedResidual(_ x: NetworkBuilder.Value, _ key: String, out: Int, expansion: Int, stride: Int,
                                  into b: inout NetworkBuilder) throws -> NetworkBuilder.Value {
        let hidden = x.channels * expansion
        var y = x
        var layer = 0
        if expansion != 1 {
            y = try convBNReLU6(y, "\(key).conv.\(layer)", out: hidden, kernel: 1, stride: 1, into: &b)
            layer += 1
        }
        y = try convBNReLU6(y, "\(key).conv.\(layer)", out: hidden, kernel: 3, stride: stride, groups: hidden,
                            into: &b)
        y = try b.conv(y, "\(key).conv.\(layer + 1)", out: out, kernel: 1)
        y = try b.batchNorm(y, "\(key).conv.\(layer + 2)", epsilon: Self.epsilon)
        return stride == 1 && x.channels == out ? b.add(y, x, name: "\(key).add") : y
    }
}
