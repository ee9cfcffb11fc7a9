/// The length of ONNX `Range`'s output, shared by shape inference and the kernels so both agree.
public enum RangeLength {
    /// `max(ceil((limit - start) / delta), 0)` for float bounds; nil for a zero or non-finite step, or a
    /// length no tensor could have.
    public static func of(start: Double, limit: Double, delta: Double) -> Int? {
        guard delta != 0, start.isFinite, limit.isFinite, delta.isFinite else { return nil }
        let n = ((limit - start) / delta).rounded(.up)
        guard n.isFinite else { return nil }
        if n <= 0 { return 0 }
        return n < Double(Int.max) ? Int(n) : nil
    }

    /// The same for integer bounds, exact (no rounding through Double); nil for a zero step or overflow.
    public static func of(start: Int64, limit: Int64, delta: Int64) -> Int? {
        guard delta != 0 else { return nil }
        let span = Int128(limit) - Int128(start)
        let d = Int128(delta)
        var n = span / d
        if span % d != 0 && (span > 0) == (d > 0) { n += 1 }  // ceiling, not truncation
        if n <= 0 { return 0 }
        return n <= Int128(Int.max) ? Int(n) : nil
    }
}
