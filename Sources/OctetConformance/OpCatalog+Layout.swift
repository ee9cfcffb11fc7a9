import OctetIR

/// Concat along channels (the joins of an Inception or a DenseNet block), Reshape and Flatten (before a
/// classifier), on float and on uint8 where a realized graph moves integers.
extension OpCatalog {
    static var layout: [OpCase] { concats + reshapes + flattens }

    private static var concats: [OpCase] {
        func concat(_ fill: OpCase.Fill, _ parts: [[Int]], axis: Int = 1) -> OpCase {
            let operands = parts.enumerated().map { i, shape in OpCase.Operand.input("x\(i)", shape, fill) }
            let sizes = parts.map { String($0[axis < 0 ? axis + $0.count : axis]) }.joined(separator: "+")
            return OpCase("Concat \(operands[0].dtype.rawValue) axis \(axis) \(sizes) \(text(parts[0]))",
                          .concat(axis: axis), operands)
        }
        let f32 = OpCase.Fill.uniform(-4, 4), u8 = OpCase.Fill.integers(.u8, 0...255)
        return [
            concat(f32, [[1, 3, 5, 5], [1, 7, 5, 5], [1, 1, 5, 5]]),
            concat(f32, [[3, 2, 4, 6], [3, 5, 4, 6]]),
            concat(u8, [[1, 16, 7, 7], [1, 8, 7, 7]]),
            concat(u8, [[3, 3, 5, 3], [3, 1, 5, 3], [3, 6, 5, 3]]),
            concat(f32, [[3, 4, 2, 5], [3, 4, 7, 5]], axis: 2),
            concat(f32, [[3, 13], [3, 6]], axis: -1),
        ]
    }

    private static var reshapes: [OpCase] {
        func reshape(_ fill: OpCase.Fill, _ x: [Int], _ shape: [Int64]) -> OpCase {
            let type = OpCase.Operand.input("x", x, fill).dtype
            let name = "Reshape \(type.rawValue) \(text(x)) to \(text(shape.map { Int($0) }))"
            return OpCase(name, .reshape(allowZero: false), [
                .input("x", x, fill),
                .constant("shape", vector(.i64, shape)),
            ])
        }
        return [
            reshape(.uniform(-4, 4), [3, 5, 7], [0, -1]),
            reshape(.uniform(-4, 4), [1, 32, 1, 1], [1, 32]),
            reshape(.uniform(-4, 4), [3, 4, 6], [-1, 8]),
            reshape(.integers(.u8, 0...255), [3, 10, 1, 1], [3, 10]),
        ]
    }

    private static var flattens: [OpCase] {
        func flatten(_ fill: OpCase.Fill, _ x: [Int], axis: Int) -> OpCase {
            let type = OpCase.Operand.input("x", x, fill).dtype
            return OpCase("Flatten \(type.rawValue) axis \(axis) \(text(x))", .flatten(axis: axis), [.input("x", x, fill)])
        }
        return [
            flatten(.uniform(-4, 4), [3, 8, 2, 2], axis: 1),
            flatten(.uniform(-4, 4), [3, 4, 5], axis: 0),
            flatten(.uniform(-4, 4), [1, 3, 4, 5], axis: 2),
            flatten(.integers(.u8, 0...255), [3, 7, 1, 1], axis: 1),
        ]
    }
}
