import Foundation
import OctetIR

/// Resize: nearest (every nearest_mode, any element type), linear and cubic (float, optional antialias),
/// every coordinate transformation, scales or sizes, axes and keep_aspect_ratio_policy.
///
/// Interpolation is separable, so the float modes resample one axis at a time; nearest picks one source
/// index per output index on each axis, which is an offset table over all axes at once.
enum Resize {
    static func run(_ a: ResizeAttributes, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let r = x.rank
        let axes = try (a.axes ?? Array(0..<r)).map { try ctx.normalizedAxis($0, rank: r) }
        guard Set(axes).count == axes.count else { throw ctx.error("axes \(axes) repeat an axis") }
        var scales = [Double](repeating: 1, count: r), sizes = x.shape
        if let t = ctx.optionalInput(3), t.count > 0 {
            let requested = try ctx.integers(t, "sizes")
            guard requested.count == axes.count, requested.allSatisfy({ $0 >= 0 }) else {
                throw ctx.error("sizes \(requested) must be \(axes.count) non-negative values")
            }
            for (i, axis) in axes.enumerated() {
                guard x.shape[axis] > 0 else { throw ctx.error("cannot resize axis \(axis) of size 0") }
                sizes[axis] = requested[i]
                scales[axis] = Double(requested[i]) / Double(x.shape[axis])
            }
            if a.keepAspectRatioPolicy != .stretch {
                let chosen = axes.map { scales[$0] }
                let scale = (a.keepAspectRatioPolicy == .notLarger ? chosen.min() : chosen.max()) ?? 1
                for axis in axes {
                    scales[axis] = scale
                    sizes[axis] = Int(scale * Double(x.shape[axis]) + 0.5)
                }
            }
        } else if let t = ctx.optionalInput(2), t.count > 0 {
            let requested = try ctx.floats(t, "scales")
            guard requested.count == axes.count, requested.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ctx.error("scales \(requested) must be \(axes.count) positive values")
            }
            for (i, axis) in axes.enumerated() {
                scales[axis] = Double(requested[i])
                let size = scales[axis] * Double(x.shape[axis])
                guard size < Double(Int32.max) else { throw ctx.error("scale \(requested[i]) is too large") }
                sizes[axis] = Int(size)
            }
        } else {
            throw ctx.error("Resize needs scales or sizes")
        }
        var roi = [(Double, Double)](repeating: (0, 1), count: r)
        if a.coordinateTransformation == .tfCropAndResize {
            let values = try ctx.floats(try ctx.input(1), "roi")
            guard values.count == 2 * axes.count else {
                throw ctx.error("roi has \(values.count) values, expected \(2 * axes.count)")
            }
            for (i, axis) in axes.enumerated() {
                roi[axis] = (Double(values[i]), Double(values[axes.count + i]))
            }
        }
        _ = try ctx.elementCount(sizes)
        let plans = (0..<r).map { axis in
            AxisResample(input: x.shape[axis], output: sizes[axis], scale: scales[axis], roi: roi[axis],
                         identity: !axes.contains(axis) || isIdentity(scales[axis], x.shape[axis], sizes[axis], roi[axis]),
                         attributes: a)
        }
        if a.mode == .nearest { return nearest(x, plans, sizes, a) }
        var values = try ctx.floats(x)
        var shape = x.shape
        for axis in axes where !plans[axis].identity {
            values = plans[axis].resample(values, shape: shape, axis: axis)
            shape[axis] = sizes[axis]
        }
        return ctx.floatTensor(shape: shape, values, like: x)
    }

    private static func isIdentity(_ scale: Double, _ input: Int, _ output: Int, _ roi: (Double, Double)) -> Bool {
        abs(scale - 1) < 1e-9 && input == output && abs(roi.0) < 1e-9 && abs(roi.1 - 1) < 1e-9
    }

    /// One source index per output index on every axis; tf_crop_and_resize points outside the input
    /// take the extrapolation value.
    private static func nearest(_ x: Tensor, _ plans: [AxisResample], _ sizes: [Int], _ a: ResizeAttributes) -> Tensor {
        let strides = x.shape.rowMajorStrides
        let tables = plans.enumerated().map { axis, plan in
            (0..<plan.output).map { o in plan.identity ? o * strides[axis] : plan.nearestIndex(o).map { $0 * strides[axis] } ?? -1 }
        }
        let fill = Tensor(shape: [], storage: Cast.convert(.f32([a.extrapolationValue]), to: x.dtype))
        return Tensor.moving([x], shape: sizes, dtype: x.dtype, fill: fill, OffsetTableMove(tables: tables))
    }
}

/// How one axis maps output indices to source coordinates and interpolation taps.
private struct AxisResample {
    let input: Int, output: Int, scale: Double, roi: (Double, Double), identity: Bool
    let attributes: ResizeAttributes

    /// The source coordinate of output index `o`, or nil when tf_crop_and_resize extrapolates.
    func sourceCoordinate(_ o: Int) -> Double? {
        let y = Double(o), inSize = Double(input)
        // The spec's continuous output width, scale * input, not the rounded size.
        let width = scale * inSize
        switch attributes.coordinateTransformation {
        case .halfPixel: return (y + 0.5) / scale - 0.5
        case .halfPixelSymmetric:
            let adjustment = Double(output) / width, center = inSize / 2
            return center * (1 - adjustment) + (y + 0.5) / scale - 0.5
        case .pytorchHalfPixel: return width == 1 ? -0.5 : (y + 0.5) / scale - 0.5
        case .alignCorners: return width == 1 ? 0 : y * (inSize - 1) / (width - 1)
        case .asymmetric: return y / scale
        case .tfCropAndResize:
            let (start, end) = roi
            var v = width == 1 ? (end - start) * (inSize - 1) / 2 : y * (end - start) * (inSize - 1) / (width - 1)
            v += start * (inSize - 1)
            return v < 0 || v > inSize - 1 ? nil : v
        }
    }

    func nearestIndex(_ o: Int) -> Int? {
        guard let v = sourceCoordinate(o) else { return nil }
        let f = v.rounded(.down), frac = v - f
        var i = Int(f)
        if frac != 0 {
            switch attributes.nearestMode {
            case .roundPreferFloor: if frac > 0.5 { i += 1 }
            case .roundPreferCeil: if frac >= 0.5 { i += 1 }
            case .floor: break
            case .ceil: i += 1
            }
        }
        return min(max(i, 0), input - 1)
    }

    /// Source indices (clamped, as edge padding) and weights of output index `o`; nil extrapolates.
    func taps(_ o: Int) -> (indices: [Int], weights: [Double])? {
        guard let v = sourceCoordinate(o) else { return nil }
        let f = v.rounded(.down)
        // The ratio lies in (0, 1]: an exact integer coordinate is the right end of the pair before it.
        let ratio = v == f ? 1 : v - f
        let b = Int(f) - (v == f ? 1 : 0)
        var coefficients = self.coefficients(ratio)
        let n = coefficients.count
        let first = b - n / 2 + 1
        let indices = (0..<n).map { first + $0 }
        if attributes.excludeOutside {
            for (t, i) in indices.enumerated() where i < 0 || i >= input { coefficients[t] = 0 }
            let sum = coefficients.reduce(0, +)
            if sum != 0 { coefficients = coefficients.map { $0 / sum } }
        }
        return (indices.map { min(max($0, 0), input - 1) }, coefficients)
    }

    private func coefficients(_ ratio: Double) -> [Double] {
        let a = Double(attributes.cubicCoeffA)
        switch (attributes.mode, attributes.antialias) {
        case (.linear, false), (.nearest, _):
            return [1 - ratio, ratio]
        case (.cubic, false):
            let t = ratio, u = 1 - ratio
            return [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                    ((a + 2) * t - (a + 3)) * t * t + 1,
                    ((a + 2) * u - (a + 3)) * u * u + 1,
                    ((a * (u + 1) - 5 * a) * (u + 1) + 8 * a) * (u + 1) - 4 * a]
        case (.linear, true):
            // Downsampling widens the triangle filter by 1 / scale.
            let s = min(scale, 1)
            let start = Int((-1 / s).rounded(.down)) + 1
            let c = (start..<(2 - start)).map { max(0, 1 - abs((Double($0) - ratio) * s)) }
            let sum = c.reduce(0, +)
            return c.map { $0 / sum }
        case (.cubic, true):
            let s = min(scale, 1)
            let start = Int((-2 / s).rounded(.down)) + 1
            let c = (start..<(2 - start)).map { i -> Double in
                let x = abs(s * (Double(i) - ratio))
                if x <= 1 { return (a + 2) * x * x * x - (a + 3) * x * x + 1 }
                if x < 2 { return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a }
                return 0
            }
            let sum = c.reduce(0, +)
            return c.map { $0 / sum }
        }
    }

    /// Resamples `axis` of `values` (shape `shape`) to `output` positions.
    func resample(_ values: [Float], shape: [Int], axis: Int) -> [Float] {
        let outer = product(shape, 0..<axis), inner = product(shape, (axis + 1)..<shape.count)
        let plan = (0..<output).map { taps($0) }
        let fill = attributes.extrapolationValue
        var out = [Float](repeating: 0, count: outer * output * inner)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for o in 0..<outer {
                    for (j, tap) in plan.enumerated() {
                        let d = (o * output + j) * inner
                        guard let tap else {
                            for i in 0..<inner { dst[d + i] = fill }
                            continue
                        }
                        for (index, weight) in zip(tap.indices, tap.weights) {
                            let s = (o * input + index) * inner, w = Float(weight)
                            for i in 0..<inner { dst[d + i] += w * src[s + i] }
                        }
                    }
                }
            }
        }
        return out
    }
}
