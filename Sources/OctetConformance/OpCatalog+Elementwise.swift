import OctetIR

/// Elementwise float ops: the five binary ops with numpy broadcasting, activations, Clip and Softmax.
/// Inputs stay where each op is defined and well conditioned (positive bases for Pow, divisors away from
/// zero), since the reference is compared with, not the op's behaviour on a pole.
extension OpCatalog {
    static var elementwise: [OpCase] { binary + unary + activations + clips + softmaxes + batchNorms }

    /// Inference BatchNormalization as it stays in a graph where no conv precedes it to fold into.
    private static var batchNorms: [OpCase] {
        let x = [3, 5, 4, 6]
        return [OpCase("BatchNormalization \(text(x))", .batchNormalization(epsilon: 1e-5), [
            .input("x", x, .uniform(-4, 4)), .weight("scale", [5], .uniform(0.5, 2)), .weight("B", [5], .uniform(-1, 1)),
            .weight("mean", [5], .uniform(-1, 1)), .weight("var", [5], .uniform(0.1, 2)),
        ], tolerance: .rounding)]
    }

    /// Each binary op on one shape, and broadcasting a per-channel constant, a scalar and two inputs that
    /// both broadcast.
    private static var binary: [OpCase] {
        func fills(_ op: BinaryOp) -> (a: OpCase.Fill, b: OpCase.Fill) {
            switch op {
            case .add, .sub, .mul: (.uniform(-2, 2), .uniform(-2, 2))
            case .div: (.uniform(-2, 2), .uniform(0.5, 2))
            case .pow: (.uniform(0.1, 2), .uniform(-2, 2))
            }
        }
        var cases: [OpCase] = []
        for op in BinaryOp.allCases {
            let (a, b) = fills(op)
            let tolerance: OpTolerance = op == .pow ? .transcendental : .rounding
            func make(_ label: String, _ shapeA: [Int], _ shapeB: [Int], constantB: Bool) -> OpCase {
                OpCase("\(op.rawValue) \(label) \(text(shapeA)) \(text(shapeB))", .binary(op), [
                    .input("a", shapeA, a),
                    constantB ? .weight("b", shapeB, b) : .input("b", shapeB, b),
                ], tolerance: tolerance)
            }
            cases += [
                make("same shape", [3, 5, 7, 9], [3, 5, 7, 9], constantB: false),
                make("per-channel constant", [1, 6, 5, 7], [1, 6, 1, 1], constantB: true),
                make("scalar constant", [3, 4, 11], [], constantB: true),
                make("both broadcast", [3, 1, 7, 1], [1, 5, 1, 9], constantB: false),
            ]
        }
        return cases
    }

    private static var unary: [OpCase] {
        func make(_ op: UnaryOp) -> [OpCase] {
            let fill: OpCase.Fill, tolerance: OpTolerance
            switch op {
            case .relu, .floor: (fill, tolerance) = (.uniform(-4, 4), .exact)
            case .sqrt: (fill, tolerance) = (.uniform(0, 4), .rounding)
            case .hardSwish: (fill, tolerance) = (.uniform(-5, 5), .rounding)
            case .sigmoid, .tanh, .erf: (fill, tolerance) = (.uniform(-4, 4), .transcendental)
            }
            return [[1, 8, 9, 11], [3, 5, 7]].map { shape in
                OpCase("\(op.rawValue) \(text(shape))", .unary(op), [.input("x", shape, fill)], tolerance: tolerance)
            }
        }
        return UnaryOp.allCases.flatMap(make)
    }

    private static var activations: [OpCase] {
        [
            OpCase("LeakyRelu alpha 0.1 [1,8,9,11]", .leakyRelu(alpha: 0.1), [.input("x", [1, 8, 9, 11], .uniform(-4, 4))],
                   tolerance: .rounding),
            OpCase("LeakyRelu alpha 0.01 [3,5,7]", .leakyRelu(alpha: 0.01), [.input("x", [3, 5, 7], .uniform(-4, 4))],
                   tolerance: .rounding),
            OpCase("HardSigmoid alpha 0.2 beta 0.5 [1,8,9,11]", .hardSigmoid(alpha: 0.2, beta: 0.5),
                   [.input("x", [1, 8, 9, 11], .uniform(-4, 4))], tolerance: .rounding),
            OpCase("HardSigmoid alpha 1/6 beta 0.5 [3,5,7]", .hardSigmoid(alpha: 1.0 / 6, beta: 0.5),
                   [.input("x", [3, 5, 7], .uniform(-4, 4))], tolerance: .rounding),
        ]
    }

    /// Clip with both bounds (Relu6), one bound, and on the integers of a realized graph.
    private static var clips: [OpCase] {
        func clip(_ label: String, _ x: [Int], _ fill: OpCase.Fill, low: Tensor?, high: Tensor?) -> OpCase {
            OpCase("Clip \(label) \(text(x))", .clip, [
                .input("x", x, fill),
                low.map { .constant("min", $0) },
                high.map { .constant("max", $0) },
            ])
        }
        return [
            clip("0..6", [1, 8, 9, 11], .uniform(-2, 8), low: .scalar(0), high: .scalar(6)),
            clip("max 1.5", [3, 5, 7], .uniform(-3, 3), low: nil, high: .scalar(1.5)),
            clip("min -0.5", [3, 4, 5], .uniform(-3, 3), low: .scalar(-0.5), high: nil),
            clip("u8 10..200", [1, 6, 5, 7], .integers(.u8, 0...255), low: scalar(.u8, 10), high: scalar(.u8, 200)),
        ]
    }

    private static var softmaxes: [OpCase] {
        [([3, 17], -1), ([1, 10], 1), ([3, 7, 5], 1), ([2, 3, 4, 9], -1)].map { shape, axis in
            OpCase("Softmax axis \(axis) \(text(shape))", .softmax(axis: axis), [.input("x", shape, .uniform(-4, 4))],
                   tolerance: .transcendental)
        }
    }
}
