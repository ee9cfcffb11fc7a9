import OctetIR

/// Transposed convolution for 1 to 3 spatial axes: each input element scatters `x * w` over the output.
///
/// One job per (image, output channel): the job walks every input channel of its group and every
/// kernel tap, adding a scaled input row into the output positions that tap reaches.
enum ConvTranspose {
    static func run(_ attributes: ConvTransposeAttributes, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0), w = try ctx.input(1)
        guard (3...5).contains(x.rank) else {
            throw ctx.unsupported("input has shape \(x.shape); ConvTranspose handles 1 to 3 spatial axes")
        }
        guard w.rank == x.rank else { throw ctx.error("weight has shape \(w.shape) for input \(x.shape)") }
        let conv = attributes.conv
        let batch = x.shape[0], channels = x.shape[1], group = conv.group
        guard group >= 1, w.shape[0] == channels, channels % group == 0 else {
            throw ctx.error("weight \(w.shape) with group \(group) does not fit input channels \(channels)")
        }
        let groupOut = w.shape[1], outChannels = groupOut * group, groupChannels = channels / group
        let kernel = Array(w.shape[2...])
        if let k = conv.kernelShape, k != kernel {
            throw ctx.attributeError("kernel_shape \(k) differs from the weight's \(kernel)")
        }
        let axes = WindowGeometry.padded3(try geometry(input: Array(x.shape[2...]), kernel: kernel, attributes, ctx))
        var bias = [Float](repeating: 0, count: outChannels)
        if let b = ctx.optionalInput(2) {
            guard b.count == outChannels else { throw ctx.error("bias has shape \(b.shape), expected [\(outChannels)]") }
            bias = try ctx.floats(b, "bias")
        }
        let outShape = [batch, outChannels] + axes.suffix(x.rank - 2).map(\.output)
        let input = try ctx.floats(x), weight = try ctx.floats(w, "weight")
        var out = [Float](repeating: 0, count: try ctx.elementCount(outShape))
        let inPlane = axes.reduce(1) { $0 * $1.input }, outPlane = axes.reduce(1) { $0 * $1.output }
        let kernelSize = axes.reduce(1) { $0 * $1.kernel }
        let (ad, ah, aw) = (axes[0], axes[1], axes[2])
        input.withUnsafeBufferPointer { src in
            weight.withUnsafeBufferPointer { wt in
                out.withUnsafeMutableBufferPointer { dst in
                    guard let s = src.baseAddress, let k = wt.baseAddress, let d = dst.baseAddress else { return }
                    parallelFor(batch * outChannels, threads: ctx.threads) { job in
                        let image = job / outChannels, oc = job % outChannels
                        let g = oc / groupOut, local = oc % groupOut
                        let plane = d + job * outPlane
                        plane.update(repeating: bias[oc], count: outPlane)
                        for c in 0..<groupChannels {
                            let ic = g * groupChannels + c
                            let inp = s + (image * channels + ic) * inPlane
                            var tap = k + (ic * groupOut + local) * kernelSize
                            for kd in 0..<ad.kernel {
                                let rd = ad.validInputsScattering(kd), offD = ad.offset(kd)
                                for kh in 0..<ah.kernel {
                                    let rh = ah.validInputsScattering(kh), offH = ah.offset(kh)
                                    for kw in 0..<aw.kernel {
                                        let rw = aw.validInputsScattering(kw), offW = aw.offset(kw)
                                        let wv = tap.pointee
                                        tap += 1
                                        for id in rd {
                                            let od = id * ad.stride + offD
                                            for iy in rh {
                                                let oy = iy * ah.stride + offH
                                                let srow = inp + (id * ah.input + iy) * aw.input
                                                let drow = plane + (od * ah.output + oy) * aw.output
                                                for ix in rw { drow[ix * aw.stride + offW] += wv * srow[ix] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return ctx.floatTensor(shape: outShape, out, like: x)
    }

    /// Output extents and pads: from `output_shape` or auto_pad when given (total padding split as the
    /// spec says, floor division so a negative total grows the end), else from explicit pads.
    private static func geometry(input: [Int], kernel: [Int], _ a: ConvTransposeAttributes,
                                 _ ctx: KernelContext) throws -> [WindowAxis] {
        let n = input.count, conv = a.conv
        let s = try WindowGeometry.perAxis(conv.strides, n, "strides", ctx)
        let d = try WindowGeometry.perAxis(conv.dilations, n, "dilations", ctx)
        let outputPadding = a.outputPadding.isEmpty ? [Int](repeating: 0, count: n) : a.outputPadding
        guard outputPadding.count >= n else { throw ctx.attributeError("output_padding \(a.outputPadding) is short") }
        guard conv.pads.isEmpty || conv.pads.count == 2 * n else {
            throw ctx.attributeError("pads has \(conv.pads.count) values, expected \(2 * n)")
        }
        var requested: [Int]? = nil
        if let shape = a.outputShape {
            guard shape.count >= n else { throw ctx.attributeError("output_shape \(shape) has fewer than \(n) dims") }
            requested = Array(shape.suffix(n))
        } else if conv.autoPad == .sameUpper || conv.autoPad == .sameLower {
            requested = (0..<n).map { input[$0] * s[$0] }
        }
        var axes: [WindowAxis] = []
        for i in 0..<n {
            let full = s[i] * (input[i] - 1) + outputPadding[i] + (kernel[i] - 1) * d[i] + 1
            var axis = WindowAxis(input: input[i], output: 0, kernel: kernel[i], stride: s[i], dilation: d[i],
                                  padBegin: 0, padEnd: 0)
            if let requested, conv.pads.isEmpty || conv.autoPad != .notSet {
                let total = full - requested[i]
                axis.padBegin = conv.autoPad == .sameUpper ? floorDiv(total, 2) : total - floorDiv(total, 2)
                axis.padEnd = total - axis.padBegin
                axis.output = requested[i]
            } else {
                axis.padBegin = conv.pads.isEmpty ? 0 : conv.pads[i]
                axis.padEnd = conv.pads.isEmpty ? 0 : conv.pads[n + i]
                axis.output = requested?[i] ?? full - axis.padBegin - axis.padEnd
            }
            guard axis.output >= 0 else { throw ctx.error("output size \(axis.output) on spatial axis \(i) is negative") }
            axes.append(axis)
        }
        return axes
    }
}
