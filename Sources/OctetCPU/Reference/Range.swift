import OctetIR

/// Range: `start + i * delta` for `i` in `0..<max(ceil((limit - start) / delta), 0)`.
enum RangeOp {
    static func run(_ ctx: KernelContext) throws -> Tensor {
        let start = try ctx.input(0), limit = try ctx.input(1), delta = try ctx.input(2)
        for (t, what) in [(start, "start"), (limit, "limit"), (delta, "delta")] {
            guard t.count == 1 else { throw ctx.error("\(what) has shape \(t.shape), must be a scalar") }
            guard t.dtype == start.dtype else { throw ctx.error("\(what) is \(t.dtype), start is \(start.dtype)") }
        }
        switch (start.storage, limit.storage, delta.storage) {
        case let (.f32(s), .f32(l), .f32(d)):
            let n = try count(s[0], l[0], d[0], ctx)
            return Tensor(shape: [n], floats: values(s[0], d[0], n: n))
        case let (.f16(s), .f16(l), .f16(d)):
            // Computed in f32 and rounded once, so the steps do not accumulate f16 error.
            let n = try count(Float(s[0]), Float(l[0]), Float(d[0]), ctx)
            return Tensor(shape: [n], storage: .f16(values(Float(s[0]), Float(d[0]), n: n).map { Float16($0) }))
        case let (.i32(s), .i32(l), .i32(d)):
            let n = try integerCount(Int64(s[0]), Int64(l[0]), Int64(d[0]), ctx)
            return Tensor(shape: [n], storage: .i32((0..<n).map { s[0] &+ Int32(truncatingIfNeeded: $0) &* d[0] }))
        case let (.i64(s), .i64(l), .i64(d)):
            let n = try integerCount(s[0], l[0], d[0], ctx)
            return Tensor(shape: [n], storage: .i64((0..<n).map { s[0] &+ Int64($0) &* d[0] }))
        default:
            throw ctx.unsupported("Range on \(start.dtype) (f32, f16, i32 and i64 only)")
        }
    }

    private static func values(_ start: Float, _ delta: Float, n: Int) -> [Float] {
        (0..<n).map { start + Float($0) * delta }
    }

    private static func count(_ start: Float, _ limit: Float, _ delta: Float, _ ctx: KernelContext) throws -> Int {
        guard let n = RangeLength.of(start: Double(start), limit: Double(limit), delta: Double(delta)) else {
            throw ctx.error("delta is zero or the range has no finite length (start \(start), limit \(limit), delta \(delta))")
        }
        return try checked(n, ctx)
    }

    private static func integerCount(_ start: Int64, _ limit: Int64, _ delta: Int64, _ ctx: KernelContext) throws -> Int {
        guard let n = RangeLength.of(start: start, limit: limit, delta: delta) else {
            throw ctx.error("delta is zero (start \(start), limit \(limit))")
        }
        return try checked(n, ctx)
    }

    /// A length the backend can allocate.
    private static func checked(_ n: Int, _ ctx: KernelContext) throws -> Int {
        try ctx.elementCount([n])
    }
}
