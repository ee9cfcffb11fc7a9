/// Where Pad and Slice read from, shared by every backend so they pick the same source elements.
public enum MoveGeometry {
    /// The source index that output index `o` of a padded axis reads (`begin` elements padded before, `size`
    /// in the source; a negative `begin` crops), or nil where the constant fills it. An empty axis has no
    /// source to reflect, repeat or wrap: nil there too (the CPU refuses that padding beforehand).
    public static func padSource(_ o: Int, begin: Int, size n: Int, mode: PadMode) -> Int? {
        let i = o - begin
        if i >= 0 && i < n { return i }
        guard n > 0 else { return nil }
        switch mode {
        case .constant: return nil
        case .edge: return i < 0 ? 0 : n - 1
        case .wrap: return ((i % n) + n) % n
        case .reflect:
            // Mirror without repeating the edge: period 2 * (n - 1).
            guard n > 1 else { return 0 }
            let period = 2 * (n - 1)
            let j = ((i % period) + period) % period
            return j >= n ? period - j : j
        }
    }

    /// Slice's first index and element count on an axis of `dim` elements, clamped as the spec says. `step`
    /// is not zero.
    public static func sliceBounds(start: Int, end: Int, step: Int, dim: Int) -> (begin: Int, count: Int) {
        // Bounds clamp to [-dim-1, dim+1] first so huge sentinels (INT64_MAX) cannot overflow.
        var s = min(max(start, -dim - 1), dim + 1), e = min(max(end, -dim - 1), dim + 1)
        if s < 0 { s += dim }
        if e < 0 { e += dim }
        if step > 0 {
            s = min(max(s, 0), dim)
            e = min(max(e, 0), dim)
            return (s, e > s ? (e - s + step - 1) / step : 0)
        }
        s = min(max(s, 0), dim - 1)
        e = min(max(e, -1), dim - 1)
        return (s, s > e ? (s - e - step - 1) / -step : 0)
    }
}
