import OctetIR

/// ReduceMean over the axes input (all axes when absent, or nothing with `noop_with_empty_axes`).
enum ReduceMean {
    static func run(keepDims: Bool, noopWithEmptyAxes: Bool, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        var axes = try ctx.optionalInput(1).map { try ctx.integers($0, "axes") } ?? []
        if axes.isEmpty {
            if noopWithEmptyAxes { return x }
            axes = Array(0..<x.rank)
        }
        let reduced = Set(try axes.map { try ctx.normalizedAxis($0, rank: x.rank, "axis") })
        guard reduced.count == axes.count else { throw ctx.error("axes \(axes) repeat an axis") }
        let values = try ctx.floats(x)
        let keptShape = (0..<x.rank).map { reduced.contains($0) ? 1 : x.shape[$0] }
        // Every input element adds into the output element it maps to (stride 0 along reduced axes).
        let outStrides = Broadcast.strides(keptShape, to: x.shape)
        var sums = [Double](repeating: 0, count: keptShape.reduce(1, *))
        var index = [Int](repeating: 0, count: x.rank)
        var o = 0
        for v in values {
            sums[o] += Double(v)
            var k = x.rank - 1
            while k >= 0 {
                index[k] += 1
                o += outStrides[k]
                if index[k] < x.shape[k] { break }
                o -= outStrides[k] * x.shape[k]
                index[k] = 0
                k -= 1
            }
        }
        let count = Double(reduced.reduce(1) { $0 * x.shape[$1] })
        let means = sums.map { Float($0 / count) }
        let shape = keepDims ? keptShape : (0..<x.rank).filter { !reduced.contains($0) }.map { x.shape[$0] }
        return ctx.floatTensor(shape: shape, means, like: x)
    }
}
