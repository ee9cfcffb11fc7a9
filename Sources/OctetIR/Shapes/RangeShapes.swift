/// Shape rule for Range: a 1-D tensor whose length is known when start, limit and delta are.
extension ShapeInference {
    func rangeType(_ node: Node) throws(IRError) -> TensorType {
        let dtype = type(node, 0).dtype
        for i in 1...2 { try checkSameDType(node, dtype, type(node, i).dtype) }
        if let t = dtype, t != .f32, t != .f16, t != .i32, t != .i64 {
            throw mismatch(node, "Range on \(t.rawValue), needs f32, f16, i32 or i64")
        }
        for (i, what) in ["start", "limit", "delta"].enumerated() {
            if let s = shape(node, i), s.elementCount.value.map({ $0 != 1 }) ?? false {
                throw mismatch(node, "\(what) has shape \(shapeText(s)), must be a scalar")
            }
        }
        guard let start = rangeBound(node, 0), let limit = rangeBound(node, 1), let delta = rangeBound(node, 2) else {
            return TensorType(dtype: dtype, shape: [.unknown])
        }
        let length: Int?
        switch (start, limit, delta) {
        case let (.integer(s), .integer(l), .integer(d)): length = RangeLength.of(start: s, limit: l, delta: d)
        default: length = RangeLength.of(start: start.real, limit: limit.real, delta: delta.real)
        }
        guard let length else { throw mismatch(node, "delta is zero or the range has no finite length") }
        return TensorType(dtype: dtype, shape: [.fixed(length)])
    }

    /// A scalar input's value when it is a constant or a known dimension.
    private func rangeBound(_ node: Node, _ i: Int) -> RangeBound? {
        if let t = constant(node, i), t.count == 1 {
            return t.dtype.isInteger ? .integer(t.int64Values()[0]) : .real(Double(t.floatValues()[0]))
        }
        if let v = integers(node, i), v.count == 1 { return .integer(Int64(v[0])) }
        return nil
    }
}

private enum RangeBound {
    case integer(Int64)
    case real(Double)

    var real: Double {
        switch self {
        case .integer(let v): Double(v)
        case .real(let v): v
        }
    }
}
