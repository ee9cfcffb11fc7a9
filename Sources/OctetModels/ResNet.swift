/// torchvision's ResNet (v1.5: the stride sits on the 3x3 conv of a bottleneck), its key names and layout.
///
/// `conv1`/`bn1` stem, max pool, four stages `layer1`...`layer4` of blocks `layerS.B.conv1` ...,
/// a projection `downsample.0` (conv) / `downsample.1` (BN) where a block changes shape, then `fc`.
public struct ResNet: Architecture {
    public enum Block: Sendable {
        /// Two 3x3 convs (resnet18/34).
        case basic
        /// 1x1, 3x3, 1x1 with 4x expansion (resnet50).
        case bottleneck

        var expansion: Int { self == .basic ? 1 : 4 }
    }

    public let name: String
    public let block: Block
    /// Blocks in each of the four stages.
    public let depths: [Int]

    public static let resnet18 = ResNet(name: "resnet18", block: .basic, depths: [2, 2, 2, 2])
    public static let resnet34 = ResNet(name: "resnet34", block: .basic, depths: [3, 4, 6, 3])
    public static let resnet50 = ResNet(name: "resnet50", block: .bottleneck, depths: [3, 4, 6, 3])

    public var input: InputConvention { .torchvision }
    public var headKey: String { "fc.weight" }

    /// torchvision's BatchNorm2d default.
    static let epsilon: Float = 1e-5

    public func describe(into b: inout NetworkBuilder, numClasses: Int) throws -> NetworkBuilder.Value {
        var x = try b.conv(b.input, "conv1", out: 64, kernel: 7, stride: 2)
        x = b.relu(try b.batchNorm(x, "bn1", epsilon: Self.epsilon))
        x = b.maxPool(x, name: "maxpool", kernel: 3, stride: 2, pad: 1)
        for (stage, depth) in depths.enumerated() {
            let width = 64 << stage
            for index in 0..<depth {
                let stride = stage > 0 && index == 0 ? 2 : 1
                x = try residualBlock(x, "layer\(stage + 1).\(index)", width: width, stride: stride, into: &b)
            }
        }
        return try b.classifier(x, "fc", classes: numClasses)
    }

    private func residualBlock(_ x: NetworkBuilder.Value, _ key: String, width: Int, stride: Int,
                               into b: inout NetworkBuilder) throws -> NetworkBuilder.Value {
        let out = width * block.expansion
        var y: NetworkBuilder.Value
        switch block {
        case .basic:
            y = try b.conv(x, "\(key).conv1", out: width, kernel: 3, stride: stride)
            y = b.relu(try b.batchNorm(y, "\(key).bn1", epsilon: Self.epsilon))
            y = try b.conv(y, "\(key).conv2", out: width, kernel: 3)
            y = try b.batchNorm(y, "\(key).bn2", epsilon: Self.epsilon)
        case .bottleneck:
            y = try b.conv(x, "\(key).conv1", out: width, kernel: 1)
            y = b.relu(try b.batchNorm(y, "\(key).bn1", epsilon: Self.epsilon))
            y = try b.conv(y, "\(key).conv2", out: width, kernel: 3, stride: stride)
            y = b.relu(try b.batchNorm(y, "\(key).bn2", epsilon: Self.epsilon))
            y = try b.conv(y, "\(key).conv3", out: out, kernel: 1)
            y = try b.batchNorm(y, "\(key).bn3", epsilon: Self.epsilon)
        }
        var shortcut = x
        if stride != 1 || x.channels != out {
            shortcut = try b.conv(x, "\(key).downsample.0", out: out, kernel: 1, stride: stride)
            shortcut = try b.batchNorm(shortcut, "\(key).downsample.1", epsilon: Self.epsilon)
        }
        return b.relu(b.add(y, shortcut, name: "\(key).add"))
    }
}
