/// Dimension arithmetic for shape inference: fixed sizes compute, named sizes pass through only where the
/// result is provably the same name, and everything else becomes the unknown dimension `?`.
extension Dim {
    /// A dimension whose size nobody can tell statically (printed `?`).
    public static let unknown = Dim.symbolic("")

    /// True for `?`: the empty name, or the name "?" some exporters write for "unknown" (not a shared size).
    public var isUnknown: Bool { self == .unknown || self == .symbolic("?") }

    /// The name of a named size; nil for numbers and unknown sizes.
    var sizeName: String? {
        if case .symbolic(let s) = self, !isUnknown { return s }
        return nil
    }

    /// Whether two dimensions are the same size: true or false when provable, nil when it cannot be told.
    func sameSize(as other: Dim) -> Bool? {
        if let a = value, let b = other.value { return a == b }
        if let a = sizeName, let b = other.sizeName, a == b { return true }
        return nil
    }

    /// `self + k`: a name survives only when k is zero; nil when the sum overflows.
    func adding(_ k: Int) -> Dim? {
        switch self {
        case .fixed(let v):
            let (sum, overflow) = v.addingReportingOverflow(k)
            return overflow ? nil : .fixed(sum)
        case .symbolic: return k == 0 ? self : .unknown
        }
    }
}

extension Array where Element == Dim {
    /// The number of elements: fixed when every dimension is, one name when the rest are 1, else unknown.
    var elementCount: Dim { self[...].elementCount }

    /// The shape with every named dimension that `bindings` gives replaced by its size.
    func binding(_ bindings: [String: Int]) -> [Dim] {
        map { d in
            if let s = d.sizeName, let v = bindings[s] { return .fixed(v) }
            return d
        }
    }
}

extension ArraySlice where Element == Dim {
    var elementCount: Dim {
        var product = 1
        var names: [Dim] = []
        for d in self {
            switch d {
            case .fixed(let v):
                let (p, overflow) = product.multipliedReportingOverflow(by: v)
                if overflow { return .unknown }
                product = p
            case .symbolic:
                guard d.sizeName != nil else { return .unknown }
                names.append(d)
            }
        }
        if names.isEmpty { return .fixed(product) }
        if product == 0 { return .fixed(0) }
        return names.count == 1 && product == 1 ? names[0] : .unknown
    }
}

/// Numpy broadcasting of two shapes; throws a plain message when fixed sizes clash.
func broadcastShapes(_ a: [Dim], _ b: [Dim]) -> Result<[Dim], BroadcastMismatch> {
    let rank = Swift.max(a.count, b.count)
    var out: [Dim] = []
    out.reserveCapacity(rank)
    for i in 0..<rank {
        let x = i < rank - a.count ? Dim.fixed(1) : a[i - (rank - a.count)]
        let y = i < rank - b.count ? Dim.fixed(1) : b[i - (rank - b.count)]
        switch (x, y) {
        case (.fixed(1), _): out.append(y)
        case (_, .fixed(1)): out.append(x)
        case let (.fixed(p), .fixed(q)):
            guard p == q else { return .failure(BroadcastMismatch(axis: i, left: x, right: y)) }
            out.append(x)
        // A named size facing a fixed one must be that size (or 1, which yields the fixed size too).
        case (.fixed, .symbolic): out.append(x)
        case (.symbolic, .fixed): out.append(y)
        case (.symbolic, .symbolic): out.append(x.sameSize(as: y) == true ? x : .unknown)
        }
    }
    return .success(out)
}

struct BroadcastMismatch: Error {
    var axis: Int
    var left: Dim
    var right: Dim
}

/// The axis in 0..<rank for a possibly negative axis, or nil when out of range.
func normalizedAxis(_ axis: Int, rank: Int) -> Int? {
    let a = axis < 0 ? axis + rank : axis
    return a >= 0 && a < rank ? a : nil
}

/// Formats a shape as `[1,3,?,N]`.
func shapeText(_ dims: [Dim]) -> String {
    "[" + dims.map(\.description).joined(separator: ",") + "]"
}
