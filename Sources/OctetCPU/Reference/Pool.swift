import OctetIR

/// MaxPool and AveragePool over 1 to 3 spatial axes, and the global pools.
///
/// Each window's taps are listed per axis once (input positions inside the data, plus how many taps
/// fall inside the padded extent for `count_include_pad`), so the per-output work is only the taps.
enum Pool {
    enum Kind { case max, average }

    static func run(_ kind: Kind, _ a: PoolAttributes, _ ctx: KernelContext) throws -> [Tensor] {
        let x = try ctx.input(0)
        guard (3...5).contains(x.rank) else {
            throw ctx.unsupported("input has shape \(x.shape); pools handle 1 to 3 spatial axes")
        }
        let values: [Float]
        switch x.storage {
        case .f32, .f16: values = try ctx.floats(x)
        case .i8, .u8: values = x.floatValues()  // exact: the maximum of small integers is one of them
        case .i32, .i64, .bool: throw ctx.unsupported("\(x.dtype) input")
        }
        if kind == .average, x.dtype == .i8 || x.dtype == .u8 { throw ctx.unsupported("AveragePool on \(x.dtype)") }
        let spatial = Array(x.shape[2...])
        let axes = WindowGeometry.padded3(try WindowGeometry.axes(
            input: spatial, kernel: a.kernelShape, strides: a.strides, dilations: a.dilations, pads: a.pads,
            autoPad: a.autoPad, ceilMode: a.ceilMode, ctx))
        let taps = axes.map(AxisTaps.init)
        let planes = x.shape[0] * x.shape[1]
        let inPlane = axes.reduce(1) { $0 * $1.input }, outPlane = axes.reduce(1) { $0 * $1.output }
        let outShape = Array(x.shape[0..<2]) + axes.suffix(spatial.count).map(\.output)
        let wantIndices = kind == .max && ctx.wantsOutput(1)
        var out = [Float](repeating: 0, count: planes * outPlane)
        var indices = [Int64](repeating: 0, count: wantIndices ? planes * outPlane : 0)
        let (td, th, tw) = (taps[0], taps[1], taps[2])
        let (oh, ow, ih, iw) = (axes[1].output, axes[2].output, axes[1].input, axes[2].input)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                indices.withUnsafeMutableBufferPointer { idx in
                    parallelFor(planes, threads: ctx.threads) { plane in
                        let base = plane * inPlane
                        for od in 0..<axes[0].output {
                            for y in 0..<oh {
                                for xo in 0..<ow {
                                    let o = plane * outPlane + (od * oh + y) * ow + xo
                                    var best = -Float.infinity, bestAt = -1, sum: Float = 0, count = 0
                                    for pd in td.taps(od) {
                                        for py in th.taps(y) {
                                            let row = (pd * ih + py) * iw
                                            for px in tw.taps(xo) {
                                                let v = src[base + row + px]
                                                sum += v
                                                count += 1
                                                if v > best || bestAt < 0 { best = v; bestAt = row + px }
                                            }
                                        }
                                    }
                                    switch kind {
                                    case .max:
                                        dst[o] = bestAt < 0 ? 0 : best
                                        if wantIndices { idx[o] = Int64(base + max(bestAt, 0)) }
                                    case .average:
                                        let divisor = a.countIncludePad
                                            ? td.padded[od] * th.padded[y] * tw.padded[xo] : count
                                        dst[o] = divisor > 0 ? sum / Float(divisor) : 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let result: Tensor
        switch x.storage {
        case .i8: result = Tensor(shape: outShape, storage: .i8(out.map { Int8($0) }))
        case .u8: result = Tensor(shape: outShape, storage: .u8(out.map { UInt8($0) }))
        case .f32, .f16, .i32, .i64, .bool: result = ctx.floatTensor(shape: outShape, out, like: x)
        }
        return wantIndices ? [result, Tensor(shape: outShape, storage: .i64(indices))] : [result]
    }

    /// GlobalAveragePool / GlobalMaxPool: one value per (image, channel), spatial axes kept as 1.
    static func global(_ kind: Kind, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error("input has shape \(x.shape); a global pool needs [N, C, ...]") }
        let values = try ctx.floats(x)
        let planes = x.shape[0] * x.shape[1], size = product(x.shape, 2..<x.rank)
        var out = [Float](repeating: 0, count: planes)
        values.withUnsafeBufferPointer { src in
            for p in 0..<planes {
                let plane = UnsafeBufferPointer(rebasing: src[(p * size)..<((p + 1) * size)])
                switch kind {
                case .average: out[p] = size > 0 ? plane.reduce(0, +) / Float(size) : 0
                case .max: out[p] = plane.max() ?? 0
                }
            }
        }
        let shape = Array(x.shape[0..<2]) + [Int](repeating: 1, count: x.rank - 2)
        return ctx.floatTensor(shape: shape, out, like: x)
    }
}

/// The taps of every window along one axis: the input positions inside the data, and how many taps
/// lie inside the padded extent (the divisor when padding counts).
private struct AxisTaps {
    var starts: [Int] = []
    var positions: [Int] = []
    var padded: [Int] = []

    init(_ axis: WindowAxis) {
        for o in 0..<axis.output {
            starts.append(positions.count)
            var inExtent = 0
            for k in 0..<axis.kernel {
                let p = o * axis.stride + axis.offset(k)
                if p >= -axis.padBegin && p < axis.input + axis.padEnd { inExtent += 1 }
                if p >= 0 && p < axis.input { positions.append(p) }
            }
            padded.append(inExtent)
        }
        starts.append(positions.count)
    }

    @inline(__always) func taps(_ o: Int) -> ArraySlice<Int> { positions[starts[o]..<starts[o + 1]] }
}
