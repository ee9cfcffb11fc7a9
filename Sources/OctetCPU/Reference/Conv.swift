import OctetIR

/// Direct convolution for 1-D, 2-D and 3-D inputs (lower ranks run as 3-D with unit axes in front).
///
/// One job per (image, output channel), so threads never share an output plane. For each input channel
/// and kernel tap the job adds `w * input row` into the output row: the innermost loop walks contiguous
/// output and (for stride 1) contiguous input, and the valid range is computed once per tap, so the
/// loop carries no bounds tests.
enum Conv {
    static func run(_ attributes: ConvAttributes, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0), w = try ctx.input(1)
        let window = try ConvolutionWindow(input: x, weight: w, attributes: attributes, ctx)
        let (batch, channels, outChannels) = (window.batch, window.channels, window.outChannels)
        let (groupChannels, group, axes) = (window.groupChannels, window.group, window.axes)
        var bias = [Float](repeating: 0, count: outChannels)
        if let b = ctx.optionalInput(2) {
            guard b.count == outChannels else { throw ctx.error("bias has shape \(b.shape), expected [\(outChannels)]") }
            bias = try ctx.floats(b, "bias")
        }
        let outShape = window.outShape
        let input = try ctx.floats(x), weight = try ctx.floats(w, "weight")
        var out = [Float](repeating: 0, count: try ctx.elementCount(outShape))
        let geometry = ConvLoops(axes: axes, inChannels: channels, groupChannels: groupChannels,
                                 outChannels: outChannels, group: group)
        input.withUnsafeBufferPointer { src in
            weight.withUnsafeBufferPointer { wt in
                out.withUnsafeMutableBufferPointer { dst in
                    guard let s = src.baseAddress, let k = wt.baseAddress, let d = dst.baseAddress else { return }
                    parallelFor(batch * outChannels, threads: ctx.threads) { job in
                        geometry.outputPlane(job: job, input: s, weight: k, bias: bias[job % outChannels], output: d)
                    }
                }
            }
        }
        return ctx.floatTensor(shape: outShape, out, like: x)
    }
}

/// The loop nest of one output plane, with every axis-dependent quantity precomputed.
private struct ConvLoops {
    let axes: [WindowAxis]
    let inChannels: Int, groupChannels: Int, outChannels: Int, group: Int
    let inPlane: Int, outPlane: Int, kernelSize: Int

    init(axes: [WindowAxis], inChannels: Int, groupChannels: Int, outChannels: Int, group: Int) {
        self.axes = axes
        self.inChannels = inChannels
        self.groupChannels = groupChannels
        self.outChannels = outChannels
        self.group = group
        inPlane = axes.reduce(1) { $0 * $1.input }
        outPlane = axes.reduce(1) { $0 * $1.output }
        kernelSize = axes.reduce(1) { $0 * $1.kernel }
    }

    func outputPlane(job: Int, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: Float,
                     output: UnsafeMutablePointer<Float>) {
        let image = job / outChannels, oc = job % outChannels
        let g = oc / (outChannels / group)
        let dst = output + job * outPlane
        dst.update(repeating: bias, count: outPlane)
        let (ad, ah, aw) = (axes[0], axes[1], axes[2])
        let (ih, iw, oh, ow) = (ah.input, aw.input, ah.output, aw.output)
        let sw = aw.stride
        for c in 0..<groupChannels {
            let src = input + (image * inChannels + g * groupChannels + c) * inPlane
            var tap = weight + (oc * groupChannels + c) * kernelSize
            for kd in 0..<ad.kernel {
                let rd = ad.validOutputs(kd), offD = ad.offset(kd)
                for kh in 0..<ah.kernel {
                    let rh = ah.validOutputs(kh), offH = ah.offset(kh)
                    for kw in 0..<aw.kernel {
                        let rw = aw.validOutputs(kw), offW = aw.offset(kw)
                        let wv = tap.pointee
                        tap += 1
                        if rw.isEmpty { continue }
                        for od in rd {
                            let id = od * ad.stride + offD
                            for y in rh {
                                let iy = y * ah.stride + offH
                                let srow = src + (id * ih + iy) * iw
                                let drow = dst + (od * oh + y) * ow
                                if sw == 1 {
                                    for x in rw { drow[x] += wv * srow[x + offW] }
                                } else {
                                    for x in rw { drow[x] += wv * srow[x * sw + offW] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
