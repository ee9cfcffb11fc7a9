/// Shape rules for matrix products: Gemm and MatMul.
extension ShapeInference {
    func gemmType(_ node: Node, _ a: GemmAttributes) throws(IRError) -> TensorType {
        let lhs = type(node, 0)
        guard let l = lhs.shape, let r = shape(node, 1) else { return TensorType(dtype: lhs.dtype, shape: nil) }
        guard l.count == 2 else { throw mismatch(node, "A has \(l.count) dims, Gemm needs 2") }
        guard r.count == 2 else { throw mismatch(node, "B has \(r.count) dims, Gemm needs 2") }
        let (m, k) = a.transA ? (l[1], l[0]) : (l[0], l[1])
        let (k2, n) = a.transB ? (r[1], r[0]) : (r[0], r[1])
        if k.sameSize(as: k2) == false {
            throw mismatch(node, "A \(shapeText(l))\(a.transA ? "ᵀ" : "") and B \(shapeText(r))\(a.transB ? "ᵀ" : "") disagree on the inner size (\(k) vs \(k2))")
        }
        let out: [Dim] = [m, n]
        if let c = shape(node, 2) {
            guard c.count <= 2, case .success(let b) = broadcastShapes(c, out), b.count == 2,
                  b[0].sameSize(as: m) != false, b[1].sameSize(as: n) != false else {
                throw mismatch(node, "C \(shapeText(c)) does not broadcast to the output \(shapeText(out))")
            }
        }
        return TensorType(dtype: lhs.dtype, shape: out)
    }

    func matMulType(_ node: Node) throws(IRError) -> TensorType {
        let lhs = type(node, 0)
        try checkSameDType(node, lhs.dtype, type(node, 1).dtype)
        return TensorType(dtype: lhs.dtype, shape: try matMulShape(node))
    }

    /// numpy matmul's shape rule for inputs 0 and 1; nil when either shape is unknown.
    func matMulShape(_ node: Node) throws(IRError) -> [Dim]? {
        guard let l = shape(node, 0), let r = shape(node, 1) else { return nil }
        guard !l.isEmpty, !r.isEmpty else { throw mismatch(node, "MatMul inputs must have at least 1 dim, got \(shapeText(l)) and \(shapeText(r))") }
        // A vector operand is promoted to a matrix, and the added dimension is removed afterwards.
        let a = l.count == 1 ? [.fixed(1)] + l : l
        let b = r.count == 1 ? r + [.fixed(1)] : r
        let k = a[a.count - 1]
        let k2 = b[b.count - 2]
        if k.sameSize(as: k2) == false {
            throw mismatch(node, "\(shapeText(l)) × \(shapeText(r)): inner sizes \(k) and \(k2) differ")
        }
        let batch: [Dim]
        switch broadcastShapes(Array(a.dropLast(2)), Array(b.dropLast(2))) {
        case .success(let s): batch = s
        case .failure: throw mismatch(node, "batch dims of \(shapeText(l)) and \(shapeText(r)) do not broadcast")
        }
        var out = batch
        if l.count > 1 { out.append(a[a.count - 2]) }
        if r.count > 1 { out.append(b[b.count - 1]) }
        return out
    }

    /// Ops whose inputs share one element type reject a mix.
    func checkSameDType(_ node: Node, _ a: DType?, _ b: DType?) throws(IRError) {
        if let a, let b, a != b {
            throw mismatch(node, "inputs are \(a.rawValue) and \(b.rawValue), \(node.op.onnxName) needs one type")
        }
    }
}
