import OctetIR

/// Inference BatchNormalization: `y = (x - mean) / sqrt(var + epsilon) * scale + B` per channel (axis 1).
enum BatchNorm {
    static func run(epsilon: Float, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error("input has shape \(x.shape); BatchNormalization needs [N, C, ...]") }
        let channels = x.shape[1]
        var params: [[Float]] = []
        for (i, name) in [(1, "scale"), (2, "B"), (3, "mean"), (4, "var")] {
            let p = try ctx.input(i)
            guard p.count == channels else { throw ctx.error("\(name) has shape \(p.shape), expected [\(channels)]") }
            params.append(try ctx.floats(p, name))
        }
        // Folded once per channel: y = x * a + b.
        let a = (0..<channels).map { params[0][$0] / (params[3][$0] + epsilon).squareRoot() }
        let b = (0..<channels).map { params[1][$0] - params[2][$0] * a[$0] }
        let values = try ctx.floats(x)
        let inner = product(x.shape, 2..<x.rank)
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for plane in 0..<(x.shape[0] * channels) {
                    let c = plane % channels, base = plane * inner
                    let scale = a[c], shift = b[c]
                    for i in 0..<inner { dst[base + i] = src[base + i] * scale + shift }
                }
            }
        }
        return ctx.floatTensor(shape: x.shape, out, like: x)
    }
}
