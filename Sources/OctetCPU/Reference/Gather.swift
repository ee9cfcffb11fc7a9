import OctetIR

/// Gather along an axis; negative indices count from the end, out-of-range ones are an error.
enum Gather {
    static func run(axis: Int, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0), indexTensor = try ctx.input(1)
        let a = try ctx.normalizedAxis(axis, rank: x.rank)
        let dim = x.shape[a], inner = product(x.shape, (a + 1)..<x.rank), outer = product(x.shape, 0..<a)
        let indices = try ctx.integers(indexTensor, "indices").map { i in
            guard i >= -dim && i < dim else { throw ctx.error("index \(i) is out of range for axis size \(dim)") }
            return i < 0 ? i + dim : i
        }
        // Viewed as [outer, dim, inner] read into [outer, indices, inner].
        let tables = [(0..<outer).map { $0 * dim * inner }, indices.map { $0 * inner }, Array(0..<inner)]
        let shape = Array(x.shape[0..<a]) + indexTensor.shape + Array(x.shape[(a + 1)...])
        let flat = Tensor.moving([x], shape: [outer, indices.count, inner], dtype: x.dtype, OffsetTableMove(tables: tables))
        return try flat.reshaped(shape)
    }
}
