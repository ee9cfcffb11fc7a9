import OctetIR

/// QLinearGlobalAveragePool over NCHW int8 or uint8 planes: an int32 sum per plane, then
/// `QLinearRules.GlobalAveragePool`; the same integers as the reference, without its conversions.
struct FastQLinearGlobalAveragePool: Sendable {
    let x: (scale: Float, zeroPoint: Int32)
    let y: (scale: Float, zeroPoint: Int32)
    let output: DType

    /// nil for other types or shapes (the reference then runs, and names the problem).
    func run(_ input: Tensor, threads: Int) -> Tensor? {
        guard input.rank >= 3, input.shape.allSatisfy({ $0 > 0 }) else { return nil }
        let planes = input.shape[0] * input.shape[1], size = input.count / planes
        // Sums of up to 2^23 values of at most 255 stay inside int32.
        guard size < 1 << 23 else { return nil }
        let rule = QLinearRules.GlobalAveragePool(x: x, y: y, count: size, bounds: Requantize.bounds(output))
        let shape = Array(input.shape.prefix(2)) + Array(repeating: 1, count: input.rank - 2)
        func pool<T: BinaryInteger>(_ v: [T]) -> [Int32] {
            v.withUnsafeBufferPointer { p in
                (0..<planes).map { plane in
                    var sum: Int32 = 0
                    for i in plane * size..<(plane + 1) * size { sum &+= Int32(truncatingIfNeeded: p[i]) }
                    return rule.apply(sum: sum)
                }
            }
        }
        let values: [Int32]
        switch input.storage {
        case .i8(let v): values = pool(v)
        case .u8(let v): values = pool(v)
        default: return nil
        }
        return output == .u8 ? Tensor(shape: shape, uint8s: values.map { UInt8($0) })
            : Tensor(shape: shape, int8s: values.map { Int8($0) })
    }
}
