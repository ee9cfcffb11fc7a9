import OctetIR

/// A convolution's input, weight and attributes checked against each other, with its windows resolved:
/// shared by the float Conv and the integer ConvInteger reference kernels.
struct ConvolutionWindow {
    let batch: Int, channels: Int, outChannels: Int, groupChannels: Int, group: Int
    /// Three axes, unit axes in front for 1-D and 2-D convolutions.
    let axes: [WindowAxis]
    let outShape: [Int]

    init(input x: Tensor, weight w: Tensor, attributes: ConvAttributes, _ ctx: KernelContext) throws {
        guard (3...5).contains(x.rank) else {
            throw ctx.unsupported("input has shape \(x.shape); \(ctx.node.op.onnxName) handles 1 to 3 spatial axes")
        }
        guard w.rank == x.rank else { throw ctx.error("weight has shape \(w.shape) for input \(x.shape)") }
        batch = x.shape[0]
        channels = x.shape[1]
        outChannels = w.shape[0]
        groupChannels = w.shape[1]
        group = attributes.group
        guard group >= 1, groupChannels * group == channels, outChannels % group == 0 else {
            throw ctx.error("weight \(w.shape) with group \(group) does not fit input channels \(channels)")
        }
        let kernel = Array(w.shape[2...])
        if let k = attributes.kernelShape, k != kernel {
            throw ctx.attributeError("kernel_shape \(k) differs from the weight's \(kernel)")
        }
        axes = WindowGeometry.padded3(try WindowGeometry.axes(
            input: Array(x.shape[2...]), kernel: kernel, strides: attributes.strides,
            dilations: attributes.dilations, pads: attributes.pads, autoPad: attributes.autoPad,
            ceilMode: false, ctx))
        outShape = [batch, outChannels] + axes.suffix(x.rank - 2).map(\.output)
    }
}
