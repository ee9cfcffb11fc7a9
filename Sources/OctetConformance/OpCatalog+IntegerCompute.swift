import OctetIR

/// ConvInteger and MatMulInteger, alone (int32 accumulators) and followed by the Requantize the realize pass
/// always puts after them, which backends fuse into the kernel's epilogue.
///
/// Requantize ratios come from the accumulators' expected size, so outputs spread over the 8-bit range with a
/// little saturation at the ends rather than all landing on one bound:
///
///     rms(acc) ≈ √(K · E[(x − zx)²] · E[(w − zw)²])      ratio = outputSpread / rms(acc)
///
/// with K the dot product's depth and x, w uniform over their ranges. Per-channel ratios vary that by ±40%.
extension OpCatalog {
    /// A folded activation narrowing Requantize's bounds, as the realize pass writes for Relu and Relu6.
    enum Narrowing {
        case none
        /// Relu: nothing below the zero point.
        case relu
        /// Relu6, or any Clip: also nothing above the zero point plus `levels`.
        case relu6(levels: Int32)

        func bounds(zeroPoint: Int64) -> IntegerBounds {
            switch self {
            case .none: IntegerBounds()
            case .relu: IntegerBounds(lower: Int32(zeroPoint))
            case .relu6(let levels): IntegerBounds(lower: Int32(zeroPoint), upper: Int32(zeroPoint) + levels)
            }
        }

        var label: String {
            switch self {
            case .none: ""
            case .relu: " relu"
            case .relu6: " relu6"
            }
        }
    }

    /// The weight zero points of an integer convolution or dense layer.
    enum WeightZero {
        case omitted
        case scalar(Int64)
        /// One per output channel, varying around `center`.
        case perChannel(center: Int64)

        func values(_ channels: Int) -> [Int64]? {
            switch self {
            case .omitted: nil
            case .scalar(let z): [z]
            case .perChannel(let center): (0..<channels).map { center + Int64($0 % 7) - 3 }
            }
        }
    }

    /// What Requantize makes of the accumulators; nil in a case means the int32 accumulators are the output.
    struct RequantizeSpec {
        var output: DType = .u8
        var perChannel = false
        var narrowing = Narrowing.none

        var zeroPoint: Int64 { output == .u8 ? 128 : -3 }
        var label: String { output.rawValue + (perChannel ? " per-channel" : "") + narrowing.label }
    }

    /// How many output levels one standard deviation of the accumulators spans: about 3σ to each bound.
    static let outputSpread = 42.0

    /// E[(v − zero)²] for v uniform on the integers of `range`.
    static func meanSquare(_ range: ClosedRange<Int64>, zero: Int64) -> Double {
        let n = Double(range.upperBound - range.lowerBound + 1)
        let mean = Double(range.lowerBound + range.upperBound) / 2 - Double(zero)
        return (n * n - 1) / 12 + mean * mean
    }

    /// The expected root mean square of accumulators of depth `depth` (see the type's comment).
    static func accumulatorRMS(depth: Int, input: ClosedRange<Int64>, inputZero: Int64, weights: ClosedRange<Int64>,
                               weightZeros: [Int64]) -> Double {
        let weightSquare = weightZeros.map { meanSquare(weights, zero: $0) }.reduce(0, +) / Double(weightZeros.count)
        return (Double(depth) * meanSquare(input, zero: inputZero) * weightSquare).squareRoot()
    }

    /// Ratios that spread accumulators of root mean square `rms` over the output: one, or one per channel.
    static func ratios(rms: Double, channels: Int, perChannel: Bool) -> Tensor {
        let base = Float(outputSpread / rms)
        guard perChannel else { return .scalar(base) }
        return Tensor(shape: [channels], floats: (0..<channels).map { base * (0.6 + 0.1 * Float($0 % 9)) })
    }

    /// ConvInteger or MatMulInteger reading activations `input` (named `x` or `a`, its zero point beside it),
    /// with the Requantize after it when asked.
    static func integerCase(name: String, op: Op, input: (name: String, type: DType, shape: [Int], zero: Int64),
                            weights: ClosedRange<Int64>, weightShape: [Int], weightType: DType, weightZero: WeightZero,
                            channels: Int, depth: Int, bias: Bool, requantize: RequantizeSpec?,
                            requantizeAxis: Int) -> OpCase {
        let zeros = weightZero.values(channels)
        let rms = accumulatorRMS(depth: depth, input: range(input.type), inputZero: input.zero, weights: weights,
                                 weightZeros: zeros ?? [0])
        let biasRange = -Int64(rms / 2)...Int64(rms / 2)
        let operands: [OpCase.Operand?] = [
            .input(input.name, input.shape, .integers(input.type, range(input.type))),
            .weight("w", weightShape, .integers(weightType, weights)),
            bias ? .weight("bias", [channels], .integers(.i32, biasRange)) : nil,
            .constant(input.name + "_zero_point", scalar(input.type, input.zero)),
            zeros.map { .constant("w_zero_point", $0.count == 1 ? scalar(weightType, $0[0]) : vector(weightType, $0)) },
        ]
        guard let requantize else { return OpCase(name, op, operands) }
        let accumulate = Node(name: "compute", op: op, inputs: operands.map { $0?.name ?? "" }, outputs: ["acc"])
        let bounds = requantize.narrowing.bounds(zeroPoint: requantize.zeroPoint)
        let requantizeOp = Op.requantize(RequantizeAttributes(axis: requantizeAxis, bounds: bounds))
        let requantizeNode = Node(name: "requantize", op: requantizeOp,
                                  inputs: ["acc", "ratio", "y_zero_point"], outputs: ["y"])
        let parameters: [OpCase.Operand] = [
            .constant("ratio", ratios(rms: rms, channels: channels, perChannel: requantize.perChannel)),
            .constant("y_zero_point", scalar(requantize.output, requantize.zeroPoint)),
        ]
        return OpCase(name: name, nodes: [accumulate, requantizeNode], operands: operands.compactMap { $0 } + parameters,
                      tolerance: .exact)
    }

    /// One integer convolution: its input type and shape, weights and attributes, and what follows it.
    struct IntegerConvSpec {
        var label: String
        var input: DType
        var shape: [Int]
        var outChannels: Int
        var kernel: [Int]
        var strides: [Int] = []
        var pads: [Int] = []
        var dilations: [Int] = []
        var group = 1
        var bias = true
        var weightZero = WeightZero.scalar(0)
        /// Int8 weights are what the realize pass makes; uint8 ones centred on 128 come from QOperator files.
        var weightType = DType.i8
        /// nil: 131 for uint8 (off centre, so the zero-point terms matter), -5 for int8.
        var inputZero: Int64? = nil
        var requantize: RequantizeSpec? = RequantizeSpec()

        func make() -> OpCase {
            let op = Op.convInteger(ConvAttributes(strides: strides, pads: pads, dilations: dilations, group: group))
            let zx = inputZero ?? (input == .u8 ? 131 : -5)
            let weights: ClosedRange<Int64> = weightType == .u8 ? 40...215 : -100...100
            let inChannels = shape[1] / group
            let name = (requantize == nil ? "ConvInteger" : "ConvInteger+Requantize")
                + " \(input.rawValue) \(label) \(OpCatalog.text(shape))" + (requantize.map { " -> \($0.label)" } ?? "")
            return OpCatalog.integerCase(
                name: name, op: op, input: ("x", input, shape, zx), weights: weights,
                weightShape: [outChannels, inChannels] + kernel, weightType: weightType, weightZero: weightZero,
                channels: outChannels, depth: inChannels * kernel.reduce(1, *), bias: bias, requantize: requantize,
                requantizeAxis: 1)
        }
    }

    static var integerCompute: [OpCase] {
        let pad1 = [1, 1, 1, 1]
        let convolutions: [IntegerConvSpec] = [
            IntegerConvSpec(label: "3x3", input: .u8, shape: [1, 8, 13, 11], outChannels: 16, kernel: [3, 3], pads: pad1),
            IntegerConvSpec(label: "3x3 s2", input: .u8, shape: [3, 17, 11, 13], outChannels: 24, kernel: [3, 3],
                            strides: [2, 2], pads: pad1, weightZero: .perChannel(center: 0),
                            requantize: RequantizeSpec(perChannel: true)),
            IntegerConvSpec(label: "3x3 zero point 0", input: .u8, shape: [1, 5, 9, 7], outChannels: 12, kernel: [3, 3],
                            pads: pad1, inputZero: 0, requantize: RequantizeSpec(narrowing: .relu)),
            IntegerConvSpec(label: "3x3", input: .i8, shape: [1, 5, 9, 7], outChannels: 12, kernel: [3, 3], pads: pad1,
                            weightZero: .perChannel(center: 0), requantize: RequantizeSpec(output: .i8)),
            IntegerConvSpec(label: "3x3 s2 asymmetric pads", input: .u8, shape: [1, 10, 16, 15], outChannels: 14,
                            kernel: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0]),
            IntegerConvSpec(label: "3x3 s2", input: .i8, shape: [3, 6, 15, 9], outChannels: 9, kernel: [3, 3],
                            strides: [2, 2], pads: pad1,
                            requantize: RequantizeSpec(output: .i8, perChannel: true, narrowing: .relu)),
            IntegerConvSpec(label: "1x1", input: .i8, shape: [3, 19, 7, 5], outChannels: 21, kernel: [1, 1], bias: false,
                            weightZero: .perChannel(center: 0), requantize: RequantizeSpec(output: .i8, perChannel: true)),
            IntegerConvSpec(label: "1x1", input: .u8, shape: [1, 32, 7, 7], outChannels: 40, kernel: [1, 1],
                            requantize: RequantizeSpec(perChannel: true, narrowing: .relu6(levels: 90))),
            IntegerConvSpec(label: "1x1 s2", input: .u8, shape: [1, 16, 9, 9], outChannels: 8, kernel: [1, 1],
                            strides: [2, 2], weightZero: .omitted),
            IntegerConvSpec(label: "7x7 s2 pad 3", input: .u8, shape: [1, 3, 23, 19], outChannels: 8, kernel: [7, 7],
                            strides: [2, 2], pads: [3, 3, 3, 3], requantize: RequantizeSpec(narrowing: .relu)),
            IntegerConvSpec(label: "7x7 pad 3", input: .i8, shape: [3, 3, 15, 17], outChannels: 5, kernel: [7, 7],
                            pads: [3, 3, 3, 3], weightZero: .perChannel(center: 0), requantize: RequantizeSpec(output: .i8)),
            IntegerConvSpec(label: "dilation 2", input: .u8, shape: [1, 6, 15, 13], outChannels: 10, kernel: [3, 3],
                            pads: [2, 2, 2, 2], dilations: [2, 2]),
            IntegerConvSpec(label: "grouped 3x3 g3", input: .u8, shape: [1, 12, 9, 11], outChannels: 18, kernel: [3, 3],
                            pads: pad1, group: 3, weightZero: .perChannel(center: 0),
                            requantize: RequantizeSpec(perChannel: true)),
            IntegerConvSpec(label: "grouped 1x1 g4", input: .i8, shape: [3, 8, 5, 7], outChannels: 12, kernel: [1, 1],
                            group: 4, requantize: RequantizeSpec(output: .i8)),
            IntegerConvSpec(label: "depthwise 3x3", input: .u8, shape: [1, 24, 13, 11], outChannels: 24, kernel: [3, 3],
                            pads: pad1, group: 24, weightZero: .perChannel(center: 0),
                            requantize: RequantizeSpec(perChannel: true, narrowing: .relu6(levels: 70))),
            IntegerConvSpec(label: "depthwise 3x3 s2", input: .i8, shape: [3, 13, 15, 9], outChannels: 13, kernel: [3, 3],
                            strides: [2, 2], pads: pad1, group: 13,
                            requantize: RequantizeSpec(output: .i8, perChannel: true)),
            IntegerConvSpec(label: "depthwise 5x5 s2", input: .u8, shape: [1, 7, 17, 19], outChannels: 7, kernel: [5, 5],
                            strides: [2, 2], pads: [2, 2, 2, 2], group: 7),
            IntegerConvSpec(label: "depthwise 3x3 s2 wide rows", input: .u8, shape: [1, 4, 9, 67], outChannels: 4,
                            kernel: [3, 3], strides: [2, 2], pads: pad1, group: 4, weightZero: .perChannel(center: 0)),
            IntegerConvSpec(label: "depthwise 5x5 33 channels", input: .i8, shape: [1, 33, 7, 7], outChannels: 33,
                            kernel: [5, 5], pads: [2, 2, 2, 2], group: 33,
                            requantize: RequantizeSpec(output: .i8, perChannel: true, narrowing: .relu)),
            IntegerConvSpec(label: "depthwise dilation 2", input: .i8, shape: [1, 9, 11, 12], outChannels: 9,
                            kernel: [3, 3], pads: [2, 2, 2, 2], dilations: [2, 2], group: 9, bias: false,
                            requantize: RequantizeSpec(output: .i8)),
            IntegerConvSpec(label: "1x3 on one row", input: .u8, shape: [3, 5, 1, 17], outChannels: 6, kernel: [1, 3],
                            pads: [0, 1, 0, 1]),
            IntegerConvSpec(label: "3x3 u8 weights", input: .u8, shape: [1, 4, 8, 9], outChannels: 6, kernel: [3, 3],
                            pads: pad1, weightZero: .perChannel(center: 128), weightType: .u8),
            // Int32 accumulators as the output: the kernels without a fused epilogue.
            IntegerConvSpec(label: "3x3", input: .u8, shape: [1, 6, 9, 10], outChannels: 7, kernel: [3, 3], pads: pad1,
                            requantize: nil),
            IntegerConvSpec(label: "1x1", input: .i8, shape: [3, 9, 5, 6], outChannels: 11, kernel: [1, 1],
                            weightZero: .perChannel(center: 0), requantize: nil),
            IntegerConvSpec(label: "depthwise 3x3 s2", input: .u8, shape: [1, 10, 11, 9], outChannels: 10,
                            kernel: [3, 3], strides: [2, 2], pads: pad1, group: 10, requantize: nil),
            IntegerConvSpec(label: "grouped g2 dilation 2", input: .i8, shape: [1, 8, 7, 7], outChannels: 6,
                            kernel: [3, 3], pads: [2, 2, 2, 2], dilations: [2, 2], group: 2, bias: false, requantize: nil),
        ]
        return convolutions.map { $0.make() } + dense
    }

    /// MatMulInteger: a dense layer's [.., K] × [K, N], alone or requantized along the last axis.
    private static var dense: [OpCase] {
        func matMul(_ input: DType, _ a: [Int], columns: Int, bias: Bool = true, weightZero: WeightZero = .scalar(0),
                    requantize: RequantizeSpec? = RequantizeSpec()) -> OpCase {
            let depth = a[a.count - 1]
            let name = (requantize == nil ? "MatMulInteger" : "MatMulInteger+Requantize") + " \(input.rawValue)"
                + " \(text(a)) x \(text([depth, columns]))" + (requantize.map { " -> \($0.label)" } ?? "")
            return integerCase(name: name, op: .matMulInteger, input: ("a", input, a, input == .u8 ? 131 : -5),
                               weights: -100...100, weightShape: [depth, columns], weightType: .i8,
                               weightZero: weightZero, channels: columns, depth: depth, bias: bias,
                               requantize: requantize, requantizeAxis: -1)
        }
        // Dynamic quantization: the input's zero point arrives with the data, so it is a graph input.
        let dynamic = OpCase("MatMulInteger u8 dynamic zero point [7,40] x [40,9]", .matMulInteger, [
            .input("a", [7, 40], .integers(.u8, 0...255)),
            .weight("b", [40, 9], .integers(.i8, -100...100)),
            nil,
            .input("a_zero_point", [], .integers(.u8, 100...150)),
        ])
        return [
            matMul(.u8, [5, 37], columns: 11, requantize: nil),
            matMul(.i8, [3, 2, 29], columns: 13, weightZero: .perChannel(center: 0), requantize: nil),
            dynamic,
            matMul(.u8, [1, 67], columns: 10),
            matMul(.i8, [3, 45], columns: 17, weightZero: .perChannel(center: 0),
                   requantize: RequantizeSpec(output: .i8, perChannel: true)),
            matMul(.u8, [3, 5, 33], columns: 19, bias: false, requantize: RequantizeSpec(narrowing: .relu)),
        ]
    }
}
