import OctetIR

/// Expand: the input broadcast against a shape (numpy rules, so a dimension of 1 in the shape keeps the input's).
enum Expand {
    static func run(_ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let target = try ctx.integers(try ctx.input(1), "shape")
        guard try ctx.input(1).rank == 1 else { throw ctx.error("shape must be a vector, has shape \(try ctx.input(1).shape)") }
        guard target.allSatisfy({ $0 >= 0 }) else { throw ctx.error("shape \(target) has a negative dimension") }
        guard let outShape = Broadcast.shape(x.shape, target) else {
            throw ctx.error("cannot expand \(x.shape) to \(target)")
        }
        _ = try ctx.elementCount(outShape)
        let strides = Broadcast.strides(x.shape, to: outShape)
        let tables = (0..<outShape.count).map { k in (0..<outShape[k]).map { $0 * strides[k] } }
        return Tensor.moving([x], shape: outShape, dtype: x.dtype, OffsetTableMove(tables: tables))
    }
}
