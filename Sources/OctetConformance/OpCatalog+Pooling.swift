import OctetIR

/// MaxPool on float and on the 8-bit integers of a realized graph, AveragePool with padding counted and not,
/// and the global pools. The windows cover what the fast kernels special-case (2-D, no dilation, floor mode)
/// and what they leave to the reference (ceil mode, dilation, 1-D).
extension OpCatalog {
    static var pooling: [OpCase] { maxPools + averagePools + globalPools + reduceMeans }

    /// ReduceMean over spatial axes (a global pool spelled out), the last axis (layer norm), and everything.
    private static var reduceMeans: [OpCase] {
        func reduceMean(_ x: [Int], axes: [Int64]?, keepDims: Bool) -> OpCase {
            OpCase("ReduceMean \(text(x)) axes \(axes.map { "\($0)" } ?? "all")\(keepDims ? " keepdims" : "")",
                   .reduceMean(keepDims: keepDims, noopWithEmptyAxes: false),
                   [.input("x", x, .uniform(-4, 4)), axes.map { .constant("axes", vector(.i64, $0)) }], tolerance: .rounding)
        }
        return [reduceMean([3, 5, 4, 6], axes: [2, 3], keepDims: true), reduceMean([2, 7, 9], axes: [-1], keepDims: false),
                reduceMean([2, 3, 5], axes: nil, keepDims: true), reduceMean([3, 4, 5, 2], axes: [0, 2], keepDims: false)]
    }

    private static func window(_ kernel: [Int], strides: [Int] = [], pads: [Int] = [], dilations: [Int] = [],
                               ceil: Bool = false, countPad: Bool = false) -> PoolAttributes {
        PoolAttributes(kernelShape: kernel, strides: strides, pads: pads, dilations: dilations, ceilMode: ceil,
                       countIncludePad: countPad)
    }

    /// `3x3 s2 pad 1 ceil dilation 2`: a window as case names show it.
    private static func label(_ a: PoolAttributes) -> String {
        var text = a.kernelShape.map(String.init).joined(separator: "x")
        if let s = a.strides.first, s != 1 { text += " s\(s)" }
        if a.pads.contains(where: { $0 != 0 }) { text += " pads \(OpCatalog.text(a.pads))" }
        if let d = a.dilations.first, d != 1 { text += " dilation \(d)" }
        if a.ceilMode { text += " ceil" }
        return text
    }

    private static var maxPools: [OpCase] {
        func maxPool(_ fill: OpCase.Fill, _ x: [Int], _ a: PoolAttributes) -> OpCase {
            let type = OpCase.Operand.input("x", x, fill).dtype
            return OpCase("MaxPool \(type.rawValue) \(label(a)) \(text(x))", .maxPool(a), [.input("x", x, fill)])
        }
        let u8 = OpCase.Fill.integers(.u8, 0...255), i8 = OpCase.Fill.integers(.i8, -128...127)
        let f32 = OpCase.Fill.uniform(-4, 4)
        return [
            maxPool(u8, [1, 16, 15, 13], window([3, 3], strides: [2, 2], pads: [1, 1, 1, 1])),
            maxPool(i8, [3, 8, 9, 11], window([2, 2], strides: [2, 2])),
            maxPool(u8, [1, 5, 10, 10], window([3, 3], strides: [2, 2], ceil: true)),
            maxPool(i8, [1, 4, 11, 9], window([3, 3], pads: [2, 2, 2, 2], dilations: [2, 2])),
            maxPool(f32, [1, 16, 15, 13], window([3, 3], strides: [2, 2], pads: [1, 1, 1, 1])),
            maxPool(f32, [3, 7, 9, 11], window([2, 2], strides: [2, 2])),
            maxPool(f32, [1, 5, 7, 6], window([3, 3], pads: [1, 1, 1, 1])),
            maxPool(f32, [3, 3, 10, 11], window([3, 3], strides: [2, 2], pads: [0, 0, 1, 1])),
            maxPool(f32, [1, 6, 10, 10], window([3, 3], strides: [2, 2], ceil: true)),
            maxPool(f32, [1, 4, 11, 9], window([3, 3], pads: [2, 2, 2, 2], dilations: [2, 2])),
            maxPool(f32, [3, 4, 17], window([3], strides: [2], pads: [1, 1])),
        ]
    }

    private static var averagePools: [OpCase] {
        func averagePool(_ x: [Int], _ a: PoolAttributes) -> OpCase {
            OpCase("AveragePool \(label(a))\(a.countIncludePad ? " count pads" : "") \(text(x))", .averagePool(a),
                   [.input("x", x, .uniform(-4, 4))], tolerance: .accumulation)
        }
        var cases: [OpCase] = []
        for countPad in [false, true] {
            cases += [
                averagePool([1, 8, 9, 11], window([3, 3], pads: [1, 1, 1, 1], countPad: countPad)),
                averagePool([3, 5, 7, 7], window([3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countPad: countPad)),
                averagePool([1, 3, 10, 10], window([3, 3], strides: [2, 2], pads: [0, 0, 1, 1], ceil: true,
                                                   countPad: countPad)),
            ]
        }
        return cases + [averagePool([1, 7, 9, 9], window([2, 2], strides: [2, 2])),
                        averagePool([3, 4, 17], window([5], strides: [3], pads: [2, 2]))]
    }

    private static var globalPools: [OpCase] {
        let shapes = [[1, 32, 7, 7], [3, 13, 5, 9], [1, 9, 1, 1]]
        return shapes.map { x in
            OpCase("GlobalAveragePool \(text(x))", .globalAveragePool, [.input("x", x, .uniform(-4, 4))],
                   tolerance: .accumulation)
        } + shapes.map { x in
            OpCase("GlobalMaxPool \(text(x))", .globalMaxPool, [.input("x", x, .uniform(-4, 4))])
        }
    }
}
