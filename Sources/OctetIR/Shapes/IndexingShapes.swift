/// Shape rules for ops whose output shape depends on tensor values: Pad, Resize, Slice, Gather, Shape,
/// ConstantOfShape. Values come from constants or propagated shape vectors; otherwise sizes stay unknown.
extension ShapeInference {
    func padType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        var axes = Array(xs.indices)
        if !isAbsent(node, 3) {
            guard let given = integers(node, 3) else { return TensorType(dtype: x.dtype, shape: xs.map { _ in .unknown }) }
            axes = []
            for a in given { axes.append(try axis(node, a, rank: xs.count, what: "axes entry")) }
        }
        var out = xs
        guard let pads = integers(node, 1) else {
            for a in axes { out[a] = .unknown }
            return TensorType(dtype: x.dtype, shape: out)
        }
        guard pads.count == 2 * axes.count else {
            throw mismatch(node, "pads has \(pads.count) entries, needs \(2 * axes.count) for \(axes.count) axes")
        }
        for (j, a) in axes.enumerated() {
            let (grow, overflow) = pads[j].addingReportingOverflow(pads[j + axes.count])
            guard !overflow, let padded = xs[a].adding(grow) else { throw mismatch(node, "pads \(pads) are out of range") }
            out[a] = padded
            if let v = out[a].value, v < 0 {
                throw mismatch(node, "pads \(pads) shrink axis \(a) of \(shapeText(xs)) below zero")
            }
        }
        return TensorType(dtype: x.dtype, shape: out)
    }

    func resizeType(_ node: Node, _ a: ResizeAttributes) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        var axes = Array(xs.indices)
        if let given = a.axes {
            axes = []
            for g in given { axes.append(try axis(node, g, rank: xs.count, what: "axes entry")) }
            guard Set(axes).count == axes.count else { throw badAttribute(node, "axes \(given) repeat an axis") }
        }
        var out = xs
        func unknownAxes() -> TensorType {
            for k in axes { out[k] = .unknown }
            return TensorType(dtype: x.dtype, shape: out)
        }
        if !isAbsent(node, 3) {
            guard let sizes = integers(node, 3) else { return unknownAxes() }
            guard sizes.count == axes.count, sizes.allSatisfy({ $0 >= 0 }) else {
                throw mismatch(node, "sizes \(sizes) do not fit \(axes.count) axes")
            }
            if a.keepAspectRatioPolicy == .stretch {
                for (j, k) in axes.enumerated() { out[k] = .fixed(sizes[j]) }
                return TensorType(dtype: x.dtype, shape: out)
            }
            // Keep the aspect ratio: one scale for every axis, the smallest or largest of the requested ones.
            var ratios: [Double] = []
            for (j, k) in axes.enumerated() {
                guard let v = xs[k].value, v > 0 else { return unknownAxes() }
                ratios.append(Double(sizes[j]) / Double(v))
            }
            let scale = (a.keepAspectRatioPolicy == .notLarger ? ratios.min() : ratios.max()) ?? 1
            for k in axes {
                guard let v = xs[k].value else { continue }
                let size = (scale * Double(v)).rounded(.toNearestOrEven)
                guard size.isFinite, size <= Double(Int32.max) else { throw mismatch(node, "sizes \(sizes) give axis \(k) size \(size)") }
                out[k] = .fixed(Int(size))
            }
            return TensorType(dtype: x.dtype, shape: out)
        }
        guard !isAbsent(node, 2) else { throw mismatch(node, "Resize needs scales or sizes") }
        guard let scalesTensor = constant(node, 2) else { return unknownAxes() }
        let scales = scalesTensor.floatValues()
        guard scales.count == axes.count, scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw mismatch(node, "scales \(scales) do not fit \(axes.count) axes")
        }
        var roi: [Float]? = nil
        if a.coordinateTransformation == .tfCropAndResize {
            guard let r = constant(node, 1)?.floatValues(), r.count == 2 * axes.count else { return unknownAxes() }
            roi = r
        }
        for (j, k) in axes.enumerated() {
            var factor = scales[j]
            if let roi { factor *= roi[j + axes.count] - roi[j] }
            guard let v = xs[k].value else {
                out[k] = factor == 1 ? xs[k] : .unknown
                continue
            }
            // Float, as ONNX Runtime computes it, so sizes agree with what runtimes allocate.
            let size = (Float(v) * factor).rounded(.down)
            guard size >= 0, size < Float(Int32.max) else { throw mismatch(node, "scale \(factor) gives axis \(k) size \(size)") }
            out[k] = .fixed(Int(size))
        }
        return TensorType(dtype: x.dtype, shape: out)
    }

    func sliceType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        let all = xs.map { _ in Dim.unknown }
        guard let starts = dims(node, 1), let ends = dims(node, 2) else { return TensorType(dtype: x.dtype, shape: all) }
        let n = starts.elements.count
        guard ends.elements.count == n else { throw mismatch(node, "starts has \(n) entries, ends has \(ends.elements.count)") }
        var axes = Array(0..<n)
        if !isAbsent(node, 3) {
            guard let given = integers(node, 3) else { return TensorType(dtype: x.dtype, shape: all) }
            guard given.count == n else { throw mismatch(node, "axes has \(given.count) entries, starts has \(n)") }
            axes = []
            for g in given { axes.append(try axis(node, g, rank: xs.count, what: "axes entry")) }
            guard Set(axes).count == n else { throw mismatch(node, "axes \(given) repeat an axis") }
        } else if n > xs.count {
            throw mismatch(node, "starts has \(n) entries, input has \(xs.count) dims")
        }
        var steps = Array(repeating: 1, count: n)
        if !isAbsent(node, 4) {
            guard let given = integers(node, 4) else { return TensorType(dtype: x.dtype, shape: all) }
            guard given.count == n, !given.contains(0) else { throw mismatch(node, "steps \(given) must be \(n) non-zero entries") }
            steps = given
        }
        var out = xs
        for (j, k) in axes.enumerated() {
            out[k] = slicedSize(xs[k], start: starts.elements[j], end: ends.elements[j], step: steps[j])
        }
        return TensorType(dtype: x.dtype, shape: out)
    }

    /// One axis of a Slice; a named size survives a whole-axis slice (0 to its own size, or to "infinity").
    private func slicedSize(_ d: Dim, start: Dim, end: Dim, step: Int) -> Dim {
        if let v = d.value, let s = start.value, let e = end.value {
            return .fixed(sliceLength(count: v, start: s, end: e, step: step))
        }
        let wholeAxis = step == 1 && start == .fixed(0) && (end.sameSize(as: d) == true || (end.value ?? 0) >= Int(Int32.max))
        return wholeAxis ? d : .unknown
    }

    func gatherType(_ node: Node, axis: Int) throws(IRError) -> TensorType {
        let data = type(node, 0)
        let indices = type(node, 1)
        if let t = indices.dtype, t != .i64, t != .i32 {
            throw mismatch(node, "indices are \(t.rawValue), Gather needs int32 or int64")
        }
        guard let ds = data.shape else { return TensorType(dtype: data.dtype, shape: nil) }
        let a = try self.axis(node, axis, rank: ds.count)
        if let d = ds[a].value, let idx = integers(node, 1), let bad = idx.first(where: { $0 < -d || $0 >= d }) {
            throw mismatch(node, "index \(bad) is out of range for axis \(a) of size \(d)")
        }
        guard let qs = indices.shape else { return TensorType(dtype: data.dtype, shape: nil) }
        return TensorType(dtype: data.dtype, shape: Array(ds[..<a]) + qs + Array(ds[(a + 1)...]))
    }

    func shapeOpType(_ node: Node, start: Int, end: Int?) throws(IRError) -> TensorType {
        guard let xs = shape(node, 0) else { return TensorType(dtype: .i64, shape: nil) }
        let (lo, hi) = shapeRange(rank: xs.count, start: start, end: end)
        return TensorType(dtype: .i64, shape: [.fixed(hi - lo)])
    }

    func constantOfShapeType(_ node: Node, value: Tensor) throws(IRError) -> TensorType {
        guard value.count == 1 else { throw badAttribute(node, "value has \(value.count) elements, needs 1") }
        if let t = type(node, 0).dtype, t != .i64 { throw mismatch(node, "shape input is \(t.rawValue), needs int64") }
        if let v = dims(node, 0) {
            guard !v.isScalar else { throw mismatch(node, "shape input is a scalar, needs a vector") }
            if let bad = v.elements.first(where: { ($0.value ?? 0) < 0 }) {
                throw mismatch(node, "shape \(shapeText(v.elements)) has negative size \(bad)")
            }
            return TensorType(dtype: value.dtype, shape: v.elements)
        }
        if let s = shape(node, 0), s.count == 1, let k = s[0].value, k <= DimVector.maxCount {
            return TensorType(dtype: value.dtype, shape: Array(repeating: .unknown, count: k))
        }
        return TensorType(dtype: value.dtype, shape: nil)
    }
}
