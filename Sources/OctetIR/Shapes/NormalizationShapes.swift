/// Shape rules for normalization and reductions: BatchNormalization, Softmax, ReduceMean.
extension ShapeInference {
    func batchNormType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        guard xs.count >= 2 else { throw mismatch(node, "input has \(xs.count) dims, BatchNormalization needs at least 2") }
        for (i, role) in [(1, "scale"), (2, "bias"), (3, "mean"), (4, "variance")] {
            guard let p = shape(node, i) else { continue }
            guard p.count == 1, p[0].sameSize(as: xs[1]) != false else {
                throw mismatch(node, "\(role) has shape \(shapeText(p)), input has \(xs[1]) channels")
            }
        }
        return x
    }

    func softmaxType(_ node: Node, axis: Int) throws(IRError) -> TensorType {
        let x = type(node, 0)
        if let xs = x.shape { _ = try self.axis(node, axis, rank: xs.count) }
        return x
    }

    func reduceMeanType(_ node: Node, keepDims: Bool, noopWithEmptyAxes: Bool) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        let axes: [Int]
        if isAbsent(node, 1) {
            if noopWithEmptyAxes { return x }
            axes = Array(xs.indices)
        } else if let given = integers(node, 1) {
            var normalized: [Int] = []
            for a in given { normalized.append(try axis(node, a, rank: xs.count, what: "axes entry")) }
            guard Set(normalized).count == normalized.count else { throw badAttribute(node, "axes \(given) repeat an axis") }
            axes = normalized
        } else {
            // Axes computed at run time: each kept dim is either itself or 1, so only the rank is known.
            return TensorType(dtype: x.dtype, shape: keepDims ? Array(repeating: .unknown, count: xs.count) : nil)
        }
        var out: [Dim] = []
        for (i, d) in xs.enumerated() {
            if !axes.contains(i) { out.append(d) } else if keepDims { out.append(.fixed(1)) }
        }
        return TensorType(dtype: x.dtype, shape: out)
    }
}
