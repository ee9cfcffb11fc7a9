import Foundation
import OctetIR

/// Resize: nearest (every nearest_mode, any element type), linear and cubic (float, optional antialias),
/// every coordinate transformation, scales or sizes, axes and keep_aspect_ratio_policy. The geometry
/// (sizes, source indices, taps) is `ResizeGeometry`, which the CUDA backend shares.
///
/// Interpolation is separable, so the float modes resample one axis at a time; nearest picks one source
/// index per output index on each axis, which is an offset table over all axes at once.
enum Resize {
    static func run(_ a: ResizeAttributes, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let r = x.rank
        let axes = try (a.axes ?? Array(0..<r)).map { try ctx.normalizedAxis($0, rank: r) }
        let sizesInput = try ctx.optionalInput(3).flatMap { $0.count > 0 ? try ctx.integers($0, "sizes") : nil }
        let scalesInput = try ctx.optionalInput(2).flatMap { $0.count > 0 ? try ctx.floats($0, "scales") : nil }
        let roi = a.coordinateTransformation == .tfCropAndResize ? try ctx.floats(try ctx.input(1), "roi") : nil
        let sizes: [Int], plans: [ResizeAxis]
        do {
            (sizes, plans) = try ResizeGeometry.plan(a, shape: x.shape, axes: axes, roi: roi, scales: scalesInput,
                                                     sizes: sizesInput)
        } catch {
            throw ctx.error(error.description)
        }
        _ = try ctx.elementCount(sizes)
        if a.mode == .nearest { return nearest(x, plans, sizes, a) }
        var values = try ctx.floats(x)
        var shape = x.shape
        for axis in axes where !plans[axis].identity {
            values = plans[axis].resample(values, shape: shape, axis: axis)
            shape[axis] = sizes[axis]
        }
        return ctx.floatTensor(shape: shape, values, like: x)
    }

    /// One source index per output index on every axis; tf_crop_and_resize points outside the input
    /// take the extrapolation value.
    private static func nearest(_ x: Tensor, _ plans: [ResizeAxis], _ sizes: [Int], _ a: ResizeAttributes) -> Tensor {
        let strides = x.shape.rowMajorStrides
        let tables = plans.enumerated().map { axis, plan in
            (0..<plan.output).map { o in plan.identity ? o * strides[axis] : plan.nearestIndex(o).map { $0 * strides[axis] } ?? -1 }
        }
        let fill = Tensor(shape: [], storage: Cast.convert(.f32([a.extrapolationValue]), to: x.dtype))
        return Tensor.moving([x], shape: sizes, dtype: x.dtype, fill: fill, OffsetTableMove(tables: tables))
    }
}

extension ResizeAxis {
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
