/// Shape rules for ops that rearrange a tensor without computing: Concat, Split, Reshape, Flatten,
/// Transpose, Squeeze, Unsqueeze.
extension ShapeInference {
    func concatType(_ node: Node, axis: Int) throws(IRError) -> TensorType {
        let first = type(node, 0)
        var known: [[Dim]] = []
        for i in node.inputs.indices {
            let t = type(node, i)
            try checkSameDType(node, first.dtype, t.dtype)
            if let s = t.shape { known.append(s) }
        }
        guard let rank = known.first?.count else { return TensorType(dtype: first.dtype, shape: nil) }
        let a = try self.axis(node, axis, rank: rank)
        var out = known[0]
        var total: Dim = .fixed(0)
        for s in known {
            guard s.count == rank else {
                throw mismatch(node, "inputs have different ranks (\(shapeText(known[0])) and \(shapeText(s)))")
            }
            for i in 0..<rank where i != a {
                if out[i].sameSize(as: s[i]) == false {
                    throw mismatch(node, "inputs \(shapeText(known[0])) and \(shapeText(s)) differ on axis \(i), which is not the concat axis \(a)")
                }
                if out[i].value == nil && s[i].value != nil { out[i] = s[i] }
            }
            if let t = total.value, let v = s[a].value { total = .fixed(t + v) } else { total = .unknown }  // bounded dims: no overflow
        }
        // A single input keeps its (possibly named) size; unknown inputs make the total unknown.
        out[a] = known.count == node.inputs.count ? (known.count == 1 ? known[0][a] : total) : .unknown
        return TensorType(dtype: first.dtype, shape: out)
    }

    func splitTypes(_ node: Node, axis: Int, numOutputs: Int?) throws(IRError) -> [TensorType] {
        let x = type(node, 0)
        let n = node.outputs.count
        if let numOutputs, numOutputs != n {
            throw badAttribute(node, "num_outputs is \(numOutputs) but the node has \(n) outputs")
        }
        guard let xs = x.shape else { return Array(repeating: x, count: n) }
        let a = try self.axis(node, axis, rank: xs.count)
        func withSize(_ d: Dim) -> TensorType {
            var s = xs
            s[a] = d
            return TensorType(dtype: x.dtype, shape: s)
        }
        if !isAbsent(node, 1) {
            guard let sizes = integers(node, 1) else { return Array(repeating: withSize(.unknown), count: n) }
            guard sizes.count == n, sizes.allSatisfy({ $0 >= 0 }) else {
                throw mismatch(node, "split sizes \(sizes) do not give \(n) outputs")
            }
            if let d = xs[a].value, sizes.reduce(0, &+) != d {
                throw mismatch(node, "split sizes \(sizes) add up to \(sizes.reduce(0, &+)), axis \(a) has \(d)")
            }
            return sizes.map { withSize(.fixed($0)) }
        }
        guard let d = xs[a].value else { return Array(repeating: withSize(.unknown), count: n) }
        // Equal parts; when the size does not divide, the last part is smaller (ONNX opset 18).
        let chunk = (d + n - 1) / n
        let last = d - chunk * (n - 1)
        guard last >= 0 else { throw mismatch(node, "axis \(a) of size \(d) cannot be split into \(n) parts") }
        return (0..<n).map { withSize(.fixed($0 == n - 1 ? last : chunk)) }
    }

    func reshapeType(_ node: Node, allowZero: Bool) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let target = dims(node, 1) else {
            // Values computed at run time: the length of the shape vector still gives the rank.
            if let s = shape(node, 1), s.count == 1, let k = s[0].value, k <= DimVector.maxCount {
                return TensorType(dtype: x.dtype, shape: Array(repeating: .unknown, count: k))
            }
            return TensorType(dtype: x.dtype, shape: nil)
        }
        guard !target.isScalar else { throw mismatch(node, "shape input is a scalar, Reshape needs a vector") }
        var out: [Dim] = []
        var inferredAxis: Int? = nil
        for (i, d) in target.elements.enumerated() {
            switch d {
            case .fixed(0) where !allowZero:
                guard let xs = x.shape else { out.append(.unknown); continue }
                guard i < xs.count else { throw mismatch(node, "shape entry \(i) is 0 (copy) but the input \(shapeText(xs)) has no axis \(i)") }
                out.append(xs[i])
            case .fixed(-1):
                guard inferredAxis == nil else { throw mismatch(node, "shape \(shapeText(target.elements)) has more than one -1") }
                inferredAxis = i
                out.append(.unknown)
            case .fixed(let v):
                guard v >= 0 else { throw mismatch(node, "shape entry \(i) is \(v)") }
                out.append(d)
            case .symbolic:
                out.append(d)
            }
        }
        guard let xs = x.shape else { return TensorType(dtype: x.dtype, shape: out) }
        if let k = inferredAxis {
            var rest = out
            rest.remove(at: k)
            out[k] = try quotient(node, xs, rest, target: target.elements)
        } else if let inCount = xs.elementCount.value, let outCount = out.elementCount.value, inCount != outCount {
            throw mismatch(node, "cannot reshape \(shapeText(xs)) (\(inCount) elements) to \(shapeText(target.elements)) (\(outCount))")
        }
        return TensorType(dtype: x.dtype, shape: out)
    }

    /// The size of Reshape's -1 axis: input elements divided by the other output dims, names cancelling.
    private func quotient(_ node: Node, _ input: [Dim], _ others: [Dim], target: [Dim]) throws(IRError) -> Dim {
        guard let num = DimFactors(input), let den = DimFactors(others) else { return .unknown }
        var names = num.names
        for s in den.names {
            guard let j = names.firstIndex(of: s) else { return .unknown }
            names.remove(at: j)
        }
        guard den.product != 0 else {
            if num.product == 0 && names.isEmpty { return .unknown }
            throw mismatch(node, "shape \(shapeText(target)) has a 0 beside -1")
        }
        guard num.product % den.product == 0 else {
            if names.isEmpty {
                throw mismatch(node, "cannot reshape \(shapeText(input)) to \(shapeText(target)): \(num.product) elements do not divide by \(den.product)")
            }
            return .unknown
        }
        let q = num.product / den.product
        if names.isEmpty { return .fixed(q) }
        return names.count == 1 && q == 1 ? .symbolic(names[0]) : .unknown
    }

    func flattenType(_ node: Node, axis: Int) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return TensorType(dtype: x.dtype, shape: nil) }
        let a = axis < 0 ? axis + xs.count : axis
        guard a >= 0 && a <= xs.count else { throw badAttribute(node, "axis \(axis) is out of range for rank \(xs.count)") }
        return TensorType(dtype: x.dtype, shape: [xs[..<a].elementCount, xs[a...].elementCount])
    }

    func transposeType(_ node: Node, perm: [Int]?) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else {
            if let perm { try checkPermutation(node, perm, rank: perm.count) }
            return x
        }
        let p = perm ?? Array((0..<xs.count).reversed())
        try checkPermutation(node, p, rank: xs.count)
        return TensorType(dtype: x.dtype, shape: p.map { xs[$0] })
    }

    func checkPermutation(_ node: Node, _ perm: [Int], rank: Int) throws(IRError) {
        guard perm.count == rank, perm.sorted() == Array(0..<rank) else {
            throw badAttribute(node, "perm \(perm) is not a permutation of 0..<\(rank)")
        }
    }

    func squeezeType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        if isAbsent(node, 1) {
            // Without axes every size-1 dim goes; a named dim might be 1, so the result is unknown.
            guard xs.allSatisfy({ $0.value != nil }) else { return TensorType(dtype: x.dtype, shape: nil) }
            return TensorType(dtype: x.dtype, shape: xs.filter { $0 != .fixed(1) })
        }
        guard let given = integers(node, 1) else { return TensorType(dtype: x.dtype, shape: nil) }
        var axes = Set<Int>()
        for a in given {
            let k = try axis(node, a, rank: xs.count, what: "axes entry")
            if let v = xs[k].value, v != 1 { throw mismatch(node, "cannot squeeze axis \(k) of \(shapeText(xs)): size \(v)") }
            axes.insert(k)
        }
        return TensorType(dtype: x.dtype, shape: xs.indices.filter { !axes.contains($0) }.map { xs[$0] })
    }

    func unsqueezeType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape, let given = integers(node, 1) else { return TensorType(dtype: x.dtype, shape: nil) }
        let rank = xs.count + given.count
        var axes = Set<Int>()
        for a in given {
            let k = try axis(node, a, rank: rank, what: "axes entry")
            guard axes.insert(k).inserted else { throw badAttribute(node, "axes \(given) repeat axis \(k)") }
        }
        var out: [Dim] = []
        var next = xs.makeIterator()
        for i in 0..<rank { out.append(axes.contains(i) ? .fixed(1) : (next.next() ?? .unknown)) }
        return TensorType(dtype: x.dtype, shape: out)
    }
}

/// A shape as a product of a number and named sizes; nil when a dim is unknown or the product overflows.
struct DimFactors {
    var product = 1
    var names: [String] = []

    init?(_ dims: [Dim]) {
        for d in dims {
            switch d {
            case .fixed(let v):
                let (p, overflow) = product.multipliedReportingOverflow(by: v)
                if overflow { return nil }
                product = p
            case .symbolic:
                guard let s = d.sizeName else { return nil }
                names.append(s)
            }
        }
    }
}
