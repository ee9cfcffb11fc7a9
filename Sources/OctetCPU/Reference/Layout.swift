import OctetIR

/// Concat, Split, Reshape, Flatten, Transpose, Squeeze and Unsqueeze, on every element type.
enum Layout {
    static func concat(axis: Int, _ ctx: KernelContext) throws -> Tensor {
        let parts = try (0..<ctx.inputs.count).map { try ctx.input($0) }
        guard let first = parts.first else { throw ctx.error("Concat needs at least one input") }
        let a = try ctx.normalizedAxis(axis, rank: first.rank)
        var shape = first.shape
        shape[a] = 0
        for p in parts {
            guard p.dtype == first.dtype else { throw ctx.error("inputs mix \(first.dtype) and \(p.dtype)") }
            guard p.rank == first.rank,
                  (0..<p.rank).allSatisfy({ $0 == a || p.shape[$0] == first.shape[$0] }) else {
                throw ctx.error("input shapes \(parts.map(\.shape)) differ outside axis \(axis)")
            }
            shape[a] += p.shape[a]
        }
        let inner = product(first.shape, (a + 1)..<first.rank)
        let mover = ConcatMove(outer: product(first.shape, 0..<a), blocks: parts.map { $0.shape[a] * inner })
        return Tensor.moving(parts, shape: shape, dtype: first.dtype, mover)
    }

    /// Sizes from the `split` input, else `num_outputs` parts of ceil(dim / n) with a smaller last part.
    static func split(axis: Int, numOutputs: Int?, _ ctx: KernelContext) throws -> [Tensor] {
        let x = try ctx.input(0)
        let a = try ctx.normalizedAxis(axis, rank: x.rank)
        let dim = x.shape[a]
        var sizes: [Int]
        if let s = ctx.optionalInput(1) {
            sizes = try ctx.integers(s, "split")
            guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == dim else {
                throw ctx.error("split sizes \(sizes) do not add up to \(dim)")
            }
        } else {
            let n = numOutputs ?? ctx.node.outputs.count
            guard n >= 1 else { throw ctx.attributeError("num_outputs \(n) must be positive") }
            let chunk = (dim + n - 1) / n
            sizes = (0..<n).map { max(0, min(chunk, dim - $0 * chunk)) }
        }
        var outputs: [Tensor] = []
        var start = 0
        for size in sizes {
            var shape = x.shape
            shape[a] = size
            var begin = [Int](repeating: 0, count: x.rank)
            begin[a] = start
            let mover = OffsetTableMove.strided(shape: shape, sourceStrides: x.shape.rowMajorStrides, start: begin,
                                                step: [Int](repeating: 1, count: x.rank))
            outputs.append(Tensor.moving([x], shape: shape, dtype: x.dtype, mover))
            start += size
        }
        return outputs
    }

    /// 0 copies the input's dimension (unless `allowzero`), -1 takes what is left.
    static func reshape(allowZero: Bool, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let requested = try ctx.integers(try ctx.input(1), "shape")
        var shape = requested
        var inferred: Int? = nil
        for (i, d) in requested.enumerated() {
            if d == 0 && !allowZero {
                guard i < x.rank else { throw ctx.error("shape \(requested) copies dim \(i) of input \(x.shape)") }
                shape[i] = x.shape[i]
            } else if d == -1 {
                guard inferred == nil else { throw ctx.error("shape \(requested) has more than one -1") }
                inferred = i
            } else if d < 0 {
                throw ctx.error("shape \(requested) has a negative dimension")
            }
        }
        if let i = inferred {
            shape[i] = 1
            let known = try ctx.elementCount(shape)
            guard known > 0, x.count % known == 0 else {
                throw ctx.error("cannot reshape \(x.shape) into \(requested)")
            }
            shape[i] = x.count / known
        }
        guard shape.checkedElementCount == x.count else { throw ctx.error("cannot reshape \(x.shape) into \(requested)") }
        return try x.reshaped(shape)
    }

    static func flatten(axis: Int, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        guard axis >= -x.rank && axis <= x.rank else { throw ctx.error("axis \(axis) is out of range for rank \(x.rank)") }
        let a = axis < 0 ? axis + x.rank : axis
        return try x.reshaped([product(x.shape, 0..<a), product(x.shape, a..<x.rank)])
    }

    static func transpose(perm: [Int]?, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let p = perm ?? Array((0..<x.rank).reversed())
        guard p.count == x.rank, Set(p) == Set(0..<x.rank) else {
            throw ctx.attributeError("perm \(p) is not a permutation of \(x.rank) axes")
        }
        let shape = p.map { x.shape[$0] }
        let strides = x.shape.rowMajorStrides
        let mover = OffsetTableMove.strided(shape: shape, sourceStrides: p.map { strides[$0] },
                                            start: [Int](repeating: 0, count: x.rank),
                                            step: [Int](repeating: 1, count: x.rank))
        return Tensor.moving([x], shape: shape, dtype: x.dtype, mover)
    }

    /// Without axes, every dimension of 1 goes.
    static func squeeze(_ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let axes: Set<Int>
        if let t = ctx.optionalInput(1) {
            let listed = try ctx.integers(t, "axes")
            axes = Set(try listed.map { try ctx.normalizedAxis($0, rank: x.rank) })
            for a in axes where x.shape[a] != 1 {
                throw ctx.error("cannot squeeze axis \(a) of shape \(x.shape): its size is not 1")
            }
        } else {
            axes = Set((0..<x.rank).filter { x.shape[$0] == 1 })
        }
        return try x.reshaped((0..<x.rank).filter { !axes.contains($0) }.map { x.shape[$0] })
    }

    /// Axes index the output, so negative ones count from the output's rank.
    static func unsqueeze(_ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let listed = try ctx.integers(try ctx.input(1), "axes")
        let rank = x.rank + listed.count
        let axes = try listed.map { try ctx.normalizedAxis($0, rank: rank) }
        guard Set(axes).count == axes.count else { throw ctx.error("axes \(listed) repeat an axis") }
        var shape: [Int] = []
        var next = 0
        for i in 0..<rank {
            if axes.contains(i) {
                shape.append(1)
            } else {
                shape.append(x.shape[next])
                next += 1
            }
        }
        return try x.reshaped(shape)
    }
}
