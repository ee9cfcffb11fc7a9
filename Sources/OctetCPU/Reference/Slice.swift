import OctetIR

/// Slice with starts, ends, axes and steps as inputs; out-of-range bounds clamp as the spec says.
enum Slice {
    static func run(_ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let starts = try ctx.integers(try ctx.input(1), "starts")
        let ends = try ctx.integers(try ctx.input(2), "ends")
        guard starts.count == ends.count else { throw ctx.error("starts \(starts) and ends \(ends) differ in length") }
        let axes = try ctx.optionalInput(3).map { try ctx.integers($0, "axes") } ?? Array(0..<starts.count)
        let steps = try ctx.optionalInput(4).map { try ctx.integers($0, "steps") }
            ?? [Int](repeating: 1, count: starts.count)
        guard axes.count == starts.count, steps.count == starts.count else {
            throw ctx.error("starts, ends, axes and steps must have one value per sliced axis")
        }
        var begin = [Int](repeating: 0, count: x.rank), step = [Int](repeating: 1, count: x.rank)
        var shape = x.shape
        var seen = Set<Int>()
        for i in 0..<starts.count {
            let a = try ctx.normalizedAxis(axes[i], rank: x.rank)
            guard seen.insert(a).inserted else { throw ctx.error("axes \(axes) repeat an axis") }
            guard steps[i] != 0 else { throw ctx.error("step on axis \(a) is zero") }
            let bounds = MoveGeometry.sliceBounds(start: starts[i], end: ends[i], step: steps[i], dim: x.shape[a])
            shape[a] = bounds.count
            begin[a] = bounds.begin
            step[a] = steps[i]
        }
        let mover = OffsetTableMove.strided(shape: shape, sourceStrides: x.shape.rowMajorStrides, start: begin, step: step)
        return Tensor.moving([x], shape: shape, dtype: x.dtype, mover)
    }
}
