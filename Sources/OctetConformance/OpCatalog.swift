import OctetIR

/// The op cases `octet test-ops` runs: what a realized int8 CNN executes (integer convolutions with their
/// Requantize, quantize and dequantize at the edges, quantized adds and pools) and the float ops around it,
/// each with several shapes: odd sizes that are no multiple of a vector width, batch 1 and 3, and the
/// padding, stride, dilation and group variants the fast kernels special-case.
///
/// Families live in `OpCatalog+*.swift`; a new case goes beside its op's others.
public enum OpCatalog {
    /// Every case, in report order.
    public static var all: [OpCase] {
        integerCompute + quantization + convolutionAndDense + elementwise + pooling + layout + moves
    }

    /// The distinct ops under test, in report order (`ConvInteger+Requantize` counts as one).
    public static var ops: [String] {
        var seen = Set<String>()
        return all.map(\.op).filter { seen.insert($0).inserted }
    }

    /// The cases `--op filter` selects. A filter that names an op (case-insensitive) selects every case that
    /// runs it, alone or in a pair, so `Requantize` includes `ConvInteger+Requantize` and `Conv` excludes
    /// `ConvInteger`; any other filter selects the cases whose name contains it (`depthwise`, `u8 3x3`).
    /// Nil selects everything; an empty result means the filter matched nothing.
    public static func cases(matching filter: String?) -> [OpCase] {
        guard let filter, !filter.isEmpty else { return all }
        let wanted = filter.lowercased()
        let byOp = all.filter { $0.nodes.contains { $0.op.onnxName.lowercased() == wanted } }
        if !byOp.isEmpty { return byOp }
        return all.filter { $0.name.lowercased().contains(wanted) }
    }
}

extension OpCatalog {
    /// `[3,17,11,13]`: shapes as case names show them.
    static func text(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ",") + "]" }

    /// A scalar initializer of `dtype` (i8, u8, i32, i64 or f32).
    static func scalar(_ dtype: DType, _ value: Int64) -> Tensor {
        vector(dtype, [value], shape: [])
    }

    /// A fixed integer tensor of `dtype`, one dimension unless `shape` says otherwise.
    static func vector(_ dtype: DType, _ values: [Int64], shape: [Int]? = nil) -> Tensor {
        let shape = shape ?? [values.count]
        switch dtype {
        case .i8: return Tensor(shape: shape, int8s: values.map { Int8($0) })
        case .u8: return Tensor(shape: shape, uint8s: values.map { UInt8($0) })
        case .i32: return Tensor(shape: shape, int32s: values.map { Int32($0) })
        case .i64: return Tensor(shape: shape, int64s: values)
        case .f32, .f16, .bool: return Tensor(shape: shape, floats: values.map { Float($0) })
        }
    }

    /// The full range of an 8-bit type, which activations are drawn from.
    static func range(_ dtype: DType) -> ClosedRange<Int64> { dtype == .u8 ? 0...255 : -128...127 }
}
