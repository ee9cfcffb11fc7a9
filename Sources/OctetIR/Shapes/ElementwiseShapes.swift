/// Shape rules for elementwise ops: broadcasting binary ops, Clip, Dropout, Expand.
extension ShapeInference {
    func binaryType(_ node: Node, _ op: BinaryOp) throws(IRError) -> TensorType {
        let a = type(node, 0)
        let b = type(node, 1)
        if op != .pow { try checkSameDType(node, a.dtype, b.dtype) }  // Pow's exponent may differ
        guard let sa = a.shape, let sb = b.shape else { return TensorType(dtype: a.dtype, shape: nil) }
        switch broadcastShapes(sa, sb) {
        case .success(let s):
            return TensorType(dtype: a.dtype, shape: s)
        case .failure(let e):
            throw mismatch(node, "cannot broadcast \(shapeText(sa)) with \(shapeText(sb)) (\(e.left) vs \(e.right))")
        }
    }

    func clipType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        for i in 1...2 {
            try checkSameDType(node, x.dtype, type(node, i).dtype)
            if let bound = shape(node, i), bound.elementCount.value.map({ $0 != 1 }) ?? false {
                throw mismatch(node, "\(i == 1 ? "min" : "max") has shape \(shapeText(bound)), must be a scalar")
            }
        }
        return x
    }

    func dropoutTypes(_ node: Node) -> [TensorType] {
        let x = type(node, 0)
        return [x, TensorType(dtype: .bool, shape: x.shape)]
    }
}

extension ShapeInference {
    /// Expand broadcasts the input against the shape input (numpy rules: the result may be larger than asked).
    func expandType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        if let t = type(node, 1).dtype, t != .i64 { throw mismatch(node, "shape input is \(t.rawValue), needs int64") }
        let target: [Dim]
        if let v = dims(node, 1) {
            guard !v.isScalar else { throw mismatch(node, "shape input is a scalar, needs a vector") }
            target = v.elements
        } else if let s = shape(node, 1), s.count == 1, let k = s[0].value, k <= DimVector.maxCount {
            target = Array(repeating: .unknown, count: k)
        } else {
            return TensorType(dtype: x.dtype, shape: nil)
        }
        if let bad = target.first(where: { ($0.value ?? 0) < 0 }) {
            throw mismatch(node, "shape \(shapeText(target)) has negative size \(bad)")
        }
        guard let xs = x.shape else { return TensorType(dtype: x.dtype, shape: nil) }
        switch broadcastShapes(xs, target) {
        case .success(let s): return TensorType(dtype: x.dtype, shape: s)
        case .failure(let e):
            throw mismatch(node, "cannot expand \(shapeText(xs)) to \(shapeText(target)) (\(e.left) vs \(e.right))")
        }
    }
}
