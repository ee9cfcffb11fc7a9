import Foundation

/// Resize's geometry, shared by every backend so they pick the same source indices and the same weights:
/// the output size and scale of each axis from `scales` or `sizes` (with `keep_aspect_ratio_policy`), and per
/// axis the source coordinate, nearest index and interpolation taps of each output index.
public enum ResizeGeometry {
    /// Sizes and per-axis plans for an input of `shape`; `axes` are the normalized axes the scales or sizes
    /// name. Throws the reason as text when the operands do not describe a resize.
    public static func plan(_ a: ResizeAttributes, shape: [Int], axes: [Int], roi: [Float]?, scales: [Float]?,
                            sizes requested: [Int]?) throws(ResizeGeometryError) -> (sizes: [Int], plans: [ResizeAxis]) {
        let r = shape.count
        guard Set(axes).count == axes.count else { throw ResizeGeometryError("axes \(axes) repeat an axis") }
        var scaleOf = [Double](repeating: 1, count: r), sizes = shape
        if let requested, !requested.isEmpty {
            guard requested.count == axes.count, requested.allSatisfy({ $0 >= 0 }) else {
                throw ResizeGeometryError("sizes \(requested) must be \(axes.count) non-negative values")
            }
            for (i, axis) in axes.enumerated() {
                guard shape[axis] > 0 else { throw ResizeGeometryError("cannot resize axis \(axis) of size 0") }
                sizes[axis] = requested[i]
                scaleOf[axis] = Double(requested[i]) / Double(shape[axis])
            }
            if a.keepAspectRatioPolicy != .stretch {
                let chosen = axes.map { scaleOf[$0] }
                let scale = (a.keepAspectRatioPolicy == .notLarger ? chosen.min() : chosen.max()) ?? 1
                for axis in axes {
                    scaleOf[axis] = scale
                    sizes[axis] = Int(scale * Double(shape[axis]) + 0.5)
                }
            }
        } else if let requested = scales, !requested.isEmpty {
            guard requested.count == axes.count, requested.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ResizeGeometryError("scales \(requested) must be \(axes.count) positive values")
            }
            for (i, axis) in axes.enumerated() {
                scaleOf[axis] = Double(requested[i])
                let size = scaleOf[axis] * Double(shape[axis])
                guard size < Double(Int32.max) else { throw ResizeGeometryError("scale \(requested[i]) is too large") }
                sizes[axis] = Int(size)
            }
        } else {
            throw ResizeGeometryError("Resize needs scales or sizes")
        }
        var rois = [(Double, Double)](repeating: (0, 1), count: r)
        if a.coordinateTransformation == .tfCropAndResize {
            guard let values = roi, values.count == 2 * axes.count else {
                throw ResizeGeometryError("roi has \(roi?.count ?? 0) values, expected \(2 * axes.count)")
            }
            for (i, axis) in axes.enumerated() {
                rois[axis] = (Double(values[i]), Double(values[axes.count + i]))
            }
        }
        let plans = (0..<r).map { axis in
            ResizeAxis(input: shape[axis], output: sizes[axis], scale: scaleOf[axis], roi: rois[axis],
                       identity: !axes.contains(axis) || isIdentity(scaleOf[axis], shape[axis], sizes[axis], rois[axis]),
                       attributes: a)
        }
        return (sizes, plans)
    }

    private static func isIdentity(_ scale: Double, _ input: Int, _ output: Int, _ roi: (Double, Double)) -> Bool {
        abs(scale - 1) < 1e-9 && input == output && abs(roi.0) < 1e-9 && abs(roi.1 - 1) < 1e-9
    }
}

public struct ResizeGeometryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// How one axis maps output indices to source coordinates and interpolation taps.
public struct ResizeAxis: Sendable {
    public let input: Int, output: Int, scale: Double, roi: (Double, Double), identity: Bool
    public let attributes: ResizeAttributes

    public init(input: Int, output: Int, scale: Double, roi: (Double, Double), identity: Bool, attributes: ResizeAttributes) {
        self.input = input
        self.output = output
        self.scale = scale
        self.roi = roi
        self.identity = identity
        self.attributes = attributes
    }

    /// The source coordinate of output index `o`, or nil when tf_crop_and_resize extrapolates.
    public func sourceCoordinate(_ o: Int) -> Double? {
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

    public func nearestIndex(_ o: Int) -> Int? {
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
    public func taps(_ o: Int) -> (indices: [Int], weights: [Double])? {
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
}
