import OctetIR

/// Where values cross between float and 8-bit (QuantizeLinear, DequantizeLinear), Requantize on its own, and
/// the quantized ops a realized graph keeps in integers (QLinearAdd, QLinearGlobalAveragePool).
///
/// Scales are chosen so that about 5% of the values saturate at each end and the rest spread over the range.
extension OpCatalog {
    static var quantization: [OpCase] {
        quantizeLinear + dequantizeLinear + requantize + qlinearAdd + qlinearGlobalAveragePool
    }

    /// Per-channel scales along an axis of `count`: `first`, growing by `step` a channel.
    private static func scales(_ count: Int, first: Float, step: Float) -> Tensor {
        Tensor(shape: [count], floats: (0..<count).map { first + step * Float($0) })
    }

    private static var quantizeLinear: [OpCase] {
        // x in [-3, 3) at scale 0.02 is ±150 steps: past both ends of int8, and of uint8 about its middle.
        // Without a zero point (uint8 at 0) x runs from -15 to 285 steps.
        func perTensor(_ type: DType, _ shape: [Int], zero: Int64?) -> OpCase {
            OpCase("QuantizeLinear \(type.rawValue) per-tensor \(text(shape))" + (zero == nil ? " no zero point" : ""),
                   .quantizeLinear(axis: 1), [
                       .input("x", shape, zero == nil ? .uniform(-0.3, 5.7) : .uniform(-3, 3)),
                       .constant("scale", .scalar(0.02)),
                       zero.map { .constant("zero_point", scalar(type, $0)) },
                   ])
        }
        func perAxis(_ type: DType, _ shape: [Int], axis: Int, zeros: [Int64]) -> OpCase {
            let count = shape[axis]
            let name = "QuantizeLinear \(type.rawValue) axis \(axis)" + (Set(zeros).count > 1 ? " zero points vary" : "")
                + " \(text(shape))"
            return OpCase(name, .quantizeLinear(axis: axis), [
                .input("x", shape, .uniform(-3, 3)),
                .constant("scale", scales(count, first: 0.02, step: 0.002)),
                .constant("zero_point", vector(type, (0..<count).map { zeros[$0 % zeros.count] })),
            ])
        }
        return [
            perTensor(.u8, [1, 3, 17, 19], zero: 128),
            perTensor(.i8, [3, 8, 7, 9], zero: -3),
            perTensor(.u8, [2, 7], zero: nil),
            // Over the fast kernel's threshold for splitting across threads.
            perTensor(.u8, [3, 16, 29, 31], zero: 121),
            // x / 0.25 lands exactly on halves: rounding must go to even.
            OpCase("QuantizeLinear i8 ties to even [1,5,9,9]", .quantizeLinear(axis: 1), [
                .input("x", [1, 5, 9, 9], .multiples(of: 0.125, -300...300)),
                .constant("scale", .scalar(0.25)),
                .constant("zero_point", scalar(.i8, 1)),
            ]),
            perAxis(.u8, [1, 10, 7, 7], axis: 1, zeros: [128]),
            perAxis(.i8, [3, 6, 5, 9], axis: 1, zeros: [0]),
            perAxis(.i8, [3, 5, 4, 6], axis: 1, zeros: [-3, 0, 7]),
            perAxis(.i8, [6, 3, 3, 3], axis: 0, zeros: [0]),
        ]
    }

    private static var dequantizeLinear: [OpCase] {
        func perTensor(_ type: DType, _ shape: [Int], zero: Int64?, scale: Float) -> OpCase {
            let values: ClosedRange<Int64> = type == .i32 ? -300_000...300_000 : range(type)
            return OpCase("DequantizeLinear \(type.rawValue) per-tensor \(text(shape))", .dequantizeLinear(axis: 1), [
                .input("x", shape, .integers(type, values)),
                .constant("scale", .scalar(scale)),
                zero.map { .constant("zero_point", scalar(type, $0)) },
            ], tolerance: .rounding)
        }
        func perAxis(_ type: DType, _ shape: [Int], axis: Int, zeros: [Int64]?) -> OpCase {
            let count = shape[axis < 0 ? axis + shape.count : axis]
            let values: ClosedRange<Int64> = type == .i32 ? -300_000...300_000 : range(type)
            return OpCase("DequantizeLinear \(type.rawValue) axis \(axis) \(text(shape))", .dequantizeLinear(axis: axis), [
                .input("x", shape, .integers(type, values)),
                .constant("scale", scales(count, first: type == .i32 ? 2e-5 : 0.01, step: type == .i32 ? 1e-6 : 0.004)),
                zeros.map { z in .constant("zero_point", vector(type, (0..<count).map { z[$0 % z.count] })) },
            ], tolerance: .rounding)
        }
        return [
            perTensor(.u8, [1, 8, 9, 11], zero: 131, scale: 0.05),
            perTensor(.i8, [3, 4, 5, 7], zero: -7, scale: 0.031),
            // The accumulators of a classifier read as float: int32 with no zero point.
            perTensor(.i32, [3, 10], zero: nil, scale: 3.1e-5),
            perAxis(.i32, [3, 10], axis: -1, zeros: nil),
            perAxis(.u8, [1, 6, 5, 5], axis: 1, zeros: [120, 128, 135]),
            perAxis(.i8, [3, 7, 3, 5], axis: 1, zeros: [0]),
            perAxis(.i8, [8, 3, 3, 3], axis: 0, zeros: [0]),
            // Constant weights: a backend may dequantize them once, when it compiles.
            OpCase("DequantizeLinear i8 constant weights [4,3,3,3]", .dequantizeLinear(axis: 0), [
                .weight("x", [4, 3, 3, 3], .integers(.i8, -127...127)),
                .constant("scale", scales(4, first: 0.01, step: 0.002)),
            ], tolerance: .rounding),
        ]
    }

    private static var requantize: [OpCase] {
        // Accumulators uniform in ±20000 have rms 20000/√3; the ratio spreads that over `outputSpread` levels.
        let ratio = Float(outputSpread / (20_000 / 3.0.squareRoot()))
        func make(_ label: String, _ output: DType, _ shape: [Int], axis: Int = 1, perChannel: Bool = false,
                  narrowing: Narrowing = .none, ratioTensor: Tensor? = nil,
                  values: ClosedRange<Int64> = -20_000...20_000) -> OpCase {
            let zero: Int64 = output == .u8 ? 128 : -3
            let count = shape[axis < 0 ? axis + shape.count : axis]
            let ratios = ratioTensor ?? (perChannel ? Tensor(shape: [count], floats: (0..<count).map {
                ratio * (0.6 + 0.1 * Float($0 % 9))
            }) : .scalar(ratio))
            return OpCase("Requantize \(output.rawValue) \(label)\(narrowing.label) \(text(shape))",
                          .requantize(RequantizeAttributes(axis: axis, bounds: narrowing.bounds(zeroPoint: zero))), [
                              .input("x", shape, .integers(.i32, values)),
                              .constant("ratio", ratios),
                              .constant("y_zero_point", scalar(output, zero)),
                          ])
        }
        return [
            make("per-tensor", .u8, [1, 16, 7, 9]),
            make("per-tensor", .i8, [3, 5, 11, 3]),
            make("per-channel", .i8, [3, 12, 5, 5], perChannel: true),
            make("per-channel", .u8, [1, 17, 6, 7], perChannel: true, narrowing: .relu),
            make("per-tensor", .i8, [1, 8, 5, 5], narrowing: .relu6(levels: 100)),
            make("per-channel axis -1", .u8, [3, 7, 13], axis: -1, perChannel: true),
            // acc · 0.5 is a half for every odd acc: rounding must go to even.
            make("ties to even", .i8, [1, 4, 9, 9], ratioTensor: .scalar(0.5), values: -300...300),
        ]
    }

    private static var qlinearAdd: [OpCase] {
        // a: [-2.6, 2.5] at 0.02, b: [-3.0, 4.6] at 0.03; their sum at 0.045 spans about ±160 steps.
        func make(_ type: DType, _ a: [Int], _ b: [Int], narrowing: Narrowing = .none) -> OpCase {
            let zeros: [Int64] = type == .u8 ? [128, 100, 110] : [0, -28, -18]
            let bounds = narrowing.bounds(zeroPoint: zeros[2])
            let shapes = a == b ? text(a) : "\(text(a)) + \(text(b))"
            return OpCase("QLinearAdd \(type.rawValue)\(narrowing.label) \(shapes)", .qlinearAdd(bounds), [
                .input("a", a, .integers(type, range(type))),
                .constant("a_scale", .scalar(0.02)),
                .constant("a_zero_point", scalar(type, zeros[0])),
                .input("b", b, .integers(type, range(type))),
                .constant("b_scale", .scalar(0.03)),
                .constant("b_zero_point", scalar(type, zeros[1])),
                .constant("y_scale", .scalar(0.045)),
                .constant("y_zero_point", scalar(type, zeros[2])),
            ])
        }
        return [
            make(.u8, [1, 24, 13, 11], [1, 24, 13, 11]),
            make(.i8, [3, 16, 11, 13], [3, 16, 11, 13]),
            make(.u8, [1, 5, 3, 3], [1, 5, 3, 3], narrowing: .relu),
            make(.i8, [1, 7, 5, 3], [1, 7, 5, 3], narrowing: .relu),
            make(.u8, [3, 8, 5, 5], [1, 8, 1, 1]),
            make(.i8, [3, 8, 5, 5], [3, 1, 5, 5]),
        ]
    }

    private static var qlinearGlobalAveragePool: [OpCase] {
        // A plane's mean has the spread of one value over √plane; the output scale maps that to about 40
        // steps, with the input's zero point near its centre so the means sit near the output's.
        func make(_ type: DType, _ shape: [Int]) -> OpCase {
            let plane = Float(shape[2...].reduce(1, *))
            let inputScale: Float = 0.02
            let outputScale = inputScale * 74 / plane.squareRoot() / 40
            return OpCase("QLinearGlobalAveragePool \(type.rawValue) \(text(shape))", .qlinearGlobalAveragePool, [
                .input("x", shape, .integers(type, range(type))),
                .constant("x_scale", .scalar(inputScale)),
                .constant("x_zero_point", scalar(type, type == .u8 ? 126 : 2)),
                .constant("y_scale", .scalar(outputScale)),
                .constant("y_zero_point", scalar(type, type == .u8 ? 125 : -4)),
            ])
        }
        return [make(.u8, [1, 32, 7, 7]), make(.i8, [3, 13, 5, 7]), make(.u8, [3, 9, 11, 13]), make(.i8, [1, 40, 1, 1])]
    }
}
