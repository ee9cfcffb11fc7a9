import OctetIR

/// Gemm (`alpha * A' * B' + beta * C`) and MatMul (numpy matmul with batch broadcasting).
enum Gemm {
    static func gemm(_ a: GemmAttributes, _ ctx: KernelContext) throws -> Tensor {
        let ta = try ctx.input(0), tb = try ctx.input(1)
        guard ta.rank == 2, tb.rank == 2 else { throw ctx.error("A \(ta.shape) and B \(tb.shape) must be 2-D") }
        let m = a.transA ? ta.shape[1] : ta.shape[0], k = a.transA ? ta.shape[0] : ta.shape[1]
        let kb = a.transB ? tb.shape[1] : tb.shape[0], n = a.transB ? tb.shape[0] : tb.shape[1]
        guard k == kb else { throw ctx.error("A' is [\(m), \(k)] and B' is [\(kb), \(n)]; inner sizes differ") }
        var lhs = try ctx.floats(ta, "A"), rhs = try ctx.floats(tb, "B")
        if a.transA { lhs = transposed(lhs, rows: k, cols: m) }
        if a.transB { rhs = transposed(rhs, rows: n, cols: k) }
        var out = [Float](repeating: 0, count: m * n)
        if let tc = ctx.optionalInput(2), a.beta != 0 {
            guard let shape = Broadcast.shape(tc.shape, [m, n]), shape == [m, n] else {
                throw ctx.error("C has shape \(tc.shape), which does not broadcast to [\(m), \(n)]")
            }
            let c = try ctx.floats(tc, "C"), zero = [Float](repeating: 0, count: 1)
            out = c.withUnsafeBufferPointer { cp in
                zero.withUnsafeBufferPointer { zp in
                    Broadcast.apply(cp, tc.shape, zp, [], outShape: [m, n]) { $0 * a.beta + $1 }
                }
            }
        }
        multiply(lhs, rhs, into: &out, m: m, n: n, k: k, alpha: a.alpha, threads: ctx.threads)
        return ctx.floatTensor(shape: [m, n], out, like: ta)
    }

    static func matMul(_ ctx: KernelContext) throws -> Tensor {
        let ta = try ctx.input(0), tb = try ctx.input(1)
        guard ta.rank >= 1, tb.rank >= 1 else { throw ctx.error("MatMul needs operands of rank 1 or more") }
        // A vector operand becomes a matrix for the product, and its unit axis is dropped from the result.
        let aShape = ta.rank == 1 ? [1, ta.shape[0]] : ta.shape
        let bShape = tb.rank == 1 ? [tb.shape[0], 1] : tb.shape
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
        let n = bShape[bShape.count - 1]
        guard bShape[bShape.count - 2] == k else { throw ctx.error("cannot multiply \(ta.shape) by \(tb.shape)") }
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        guard let batch = Broadcast.shape(aBatch, bBatch) else {
            throw ctx.error("batch dimensions of \(ta.shape) and \(tb.shape) do not broadcast")
        }
        let batches = try ctx.elementCount(batch)
        let aStrides = Broadcast.strides(aBatch, to: batch), bStrides = Broadcast.strides(bBatch, to: batch)
        let lhs = try ctx.floats(ta, "A"), rhs = try ctx.floats(tb, "B")
        var out = [Float](repeating: 0, count: try ctx.elementCount(batch + [m, n]))
        var slice = [Float](repeating: 0, count: m * n)
        for index in 0..<batches {
            var rem = index, ia = 0, ib = 0
            for axis in stride(from: batch.count - 1, through: 0, by: -1) {
                let i = rem % batch[axis]
                rem /= batch[axis]
                ia += i * aStrides[axis]
                ib += i * bStrides[axis]
            }
            let a = Array(lhs[(ia * m * k)..<((ia + 1) * m * k)])
            let b = Array(rhs[(ib * k * n)..<((ib + 1) * k * n)])
            for i in 0..<slice.count { slice[i] = 0 }
            multiply(a, b, into: &slice, m: m, n: n, k: k, alpha: 1, threads: ctx.threads)
            out.replaceSubrange((index * m * n)..<((index + 1) * m * n), with: slice)
        }
        var shape = batch
        if ta.rank > 1 { shape.append(m) }
        if tb.rank > 1 { shape.append(n) }
        return ctx.floatTensor(shape: shape, out, like: ta)
    }

    /// `c += alpha * a * b` for row-major `a` [m, k] and `b` [k, n]; the inner loop runs along a row of `b`.
    ///
    /// Rows of `c` are split across threads; a single-row product (a dense layer at batch 1) splits columns.
    static func multiply(_ a: [Float], _ b: [Float], into c: inout [Float], m: Int, n: Int, k: Int,
                         alpha: Float, threads: Int) {
        guard m > 0, n > 0 else { return }
        let columnBlock = 256
        let columnBlocks = (n + columnBlock - 1) / columnBlock
        let useThreads = m * n * k >= 1 << 15 ? threads : 1
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    guard let a = ap.baseAddress, let b = bp.baseAddress, let c = cp.baseAddress else { return }
                    parallelFor(m * columnBlocks, threads: useThreads) { job in
                        let i = job / columnBlocks, j0 = (job % columnBlocks) * columnBlock
                        let j1 = min(n, j0 + columnBlock)
                        let row = c + i * n
                        for p in 0..<k {
                            let s = alpha * a[i * k + p]
                            let brow = b + p * n
                            for j in j0..<j1 { row[j] += s * brow[j] }
                        }
                    }
                }
            }
        }
    }

    static func transposed(_ v: [Float], rows: Int, cols: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: v.count) { out, count in
            v.withUnsafeBufferPointer { src in
                for r in 0..<rows {
                    for c in 0..<cols { out[c * rows + r] = src[r * cols + c] }
                }
            }
            count = v.count
        }
    }
}
