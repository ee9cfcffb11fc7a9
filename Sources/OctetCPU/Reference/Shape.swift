import OctetIR

/// Shape (with start/end clamped into range) and ConstantOfShape.
enum ShapeOps {
    static func shape(start: Int, end: Int?, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let r = x.rank
        func clamped(_ i: Int) -> Int { min(max(i < 0 ? i + r : i, 0), r) }
        let s = clamped(start), e = clamped(end ?? r)
        let dims = s < e ? x.shape[s..<e].map { Int64($0) } : []
        return Tensor(shape: [dims.count], int64s: dims)
    }

    static func constantOfShape(value: Tensor, _ ctx: KernelContext) throws -> Tensor {
        let shape = try ctx.integers(try ctx.input(0), "shape")
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ctx.error("shape \(shape) has a negative dimension") }
        guard value.count == 1 else { throw ctx.attributeError("value must hold one element, has \(value.count)") }
        _ = try ctx.elementCount(shape)
        return Tensor.filled(value, shape: shape)
    }
}
