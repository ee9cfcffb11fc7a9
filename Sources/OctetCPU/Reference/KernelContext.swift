import OctetIR

/// One node's inputs as a kernel sees them; every error made here names the node and its op.
struct KernelContext {
    let node: Node
    /// Positional as in `node.inputs`; nil marks an omitted optional input.
    let inputs: [Tensor?]
    let threads: Int

    private var location: String { "node \"\(node.name)\" (\(node.op.onnxName))" }

    /// A bad shape or value met at run time.
    func error(_ message: String) -> IRError { .shapeMismatch("\(location): \(message)") }

    /// A valid input this kernel does not handle.
    func unsupported(_ message: String) -> IRError { .unsupported("\(location): \(message)") }

    func attributeError(_ message: String) -> IRError { .invalidAttribute("\(location): \(message)") }

    /// Input `i`, which must be present.
    func input(_ i: Int) throws -> Tensor {
        guard i < inputs.count, let tensor = inputs[i] else { throw error("required input \(i) is missing") }
        return tensor
    }

    /// Input `i`, or nil when the node omits it.
    func optionalInput(_ i: Int) -> Tensor? { i < inputs.count ? inputs[i] : nil }

    /// Whether the node asks for output `i` (optional outputs are empty names or absent).
    func wantsOutput(_ i: Int) -> Bool { i < node.outputs.count && !node.outputs[i].isEmpty }

    /// The elements of a float input (f16 widened to f32); any other element type is an error.
    func floats(_ tensor: Tensor, _ what: String = "input") throws -> [Float] {
        switch tensor.storage {
        case .f32(let v): return v
        case .f16(let v): return v.map { Float($0) }
        case .i8, .u8, .i32, .i64, .bool: throw unsupported("\(what) is \(tensor.dtype), this kernel needs f32 or f16")
        }
    }

    /// The elements of an integer index or shape input (i32 or i64) as Int.
    func integers(_ tensor: Tensor, _ what: String) throws -> [Int] {
        switch tensor.storage {
        case .i64(let v): return v.map { Int($0) }
        case .i32(let v): return v.map { Int($0) }
        case .f32, .f16, .i8, .u8, .bool: throw error("\(what) must be i32 or i64, got \(tensor.dtype)")
        }
    }

    /// A float result in the element type of `reference` (f16 inputs give f16 outputs).
    func floatTensor(shape: [Int], _ values: [Float], like reference: Tensor) -> Tensor {
        if reference.dtype == .f16 { return Tensor(shape: shape, storage: .f16(values.map { Float16($0) })) }
        return Tensor(shape: shape, storage: .f32(values))
    }

    /// `axis` in `-rank..<rank` mapped to `0..<rank`.
    func normalizedAxis(_ axis: Int, rank: Int, _ what: String = "axis") throws -> Int {
        guard axis >= -rank && axis < rank else { throw error("\(what) \(axis) is out of range for rank \(rank)") }
        return axis < 0 ? axis + rank : axis
    }

    /// The element count of a shape computed from inputs, refusing overflow.
    func elementCount(_ shape: [Int]) throws -> Int {
        guard let n = shape.checkedElementCount else { throw error("output shape \(shape) is invalid or too large") }
        return n
    }
}

/// The product of `shape[range]` (for outer/inner extents around an axis).
func product(_ shape: [Int], _ range: Range<Int>) -> Int {
    var n = 1
    for i in range { n *= shape[i] }
    return n
}
