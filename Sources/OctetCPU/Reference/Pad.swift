import OctetIR

/// Pad in constant, reflect, edge and wrap modes; negative pads crop.
enum Pad {
    static func run(mode: PadMode, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let pads = try ctx.integers(try ctx.input(1), "pads")
        var axes = Array(0..<x.rank)
        if let t = ctx.optionalInput(3) {
            axes = try ctx.integers(t, "axes").map { try ctx.normalizedAxis($0, rank: x.rank) }
            guard Set(axes).count == axes.count else { throw ctx.error("axes repeat an axis") }
        }
        guard pads.count == 2 * axes.count else {
            throw ctx.error("pads has \(pads.count) values for \(axes.count) axes")
        }
        var begin = [Int](repeating: 0, count: x.rank), end = begin
        for (i, a) in axes.enumerated() {
            begin[a] = pads[i]
            end[a] = pads[axes.count + i]
        }
        let shape = try (0..<x.rank).map { a in
            let d = x.shape[a] + begin[a] + end[a]
            guard d >= 0 else { throw ctx.error("pads \(pads) crop axis \(a) of shape \(x.shape) below zero") }
            if mode != .constant, x.shape[a] == 0, d > 0 {
                throw ctx.error("\(mode.rawValue) padding of an empty axis \(a)")
            }
            return d
        }
        let strides = x.shape.rowMajorStrides
        var tables: [[Int]] = []
        for a in 0..<x.rank {
            let n = x.shape[a]
            tables.append((0..<shape[a]).map { o in
                MoveGeometry.padSource(o, begin: begin[a], size: n, mode: mode).map { $0 * strides[a] } ?? -1
            })
        }
        var fill: Tensor? = nil
        if mode == .constant {
            if let v = ctx.optionalInput(2) {
                guard v.dtype == x.dtype, v.count == 1 else {
                    throw ctx.error("constant_value must be one \(x.dtype) element, got \(v.dtype) \(v.shape)")
                }
                fill = v
            } else {
                fill = Tensor.zeros(x.dtype, shape: [])
            }
        }
        return Tensor.moving([x], shape: shape, dtype: x.dtype, fill: fill, OffsetTableMove(tables: tables))
    }
}
