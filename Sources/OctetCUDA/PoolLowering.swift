import OctetIR

/// MaxPool (on floats and on the integers of a realized graph), AveragePool and the global pools, 2-D.
extension ProgramBuilder {
    mutating func lowerPool(_ node: Node) throws(CUDAError) {
        let (xType, xShape) = try type(of: node.inputs[0]), (_, yShape) = try type(of: node.outputs[0])
        guard let xs = WindowParameters.planar(xShape), let ys = WindowParameters.planar(yShape) else {
            throw unsupported(node, "\(xShape.count - 2) spatial axes; the CUDA kernels take 1 or 2")
        }
        switch node.op {
        case .maxPool(let a):
            guard node.outputs.count < 2 || node.outputs[1].isEmpty else { throw unsupported(node, "the Indices output") }
            let code: Int
            switch xType {
            case .u8: code = 0
            case .i8: code = 1
            case .f32: code = 3
            default: throw unsupported(node, "input is \(xType)")
            }
            let window = WindowParameters(kernel: a.kernelShape, strides: a.strides, dilations: a.dilations, pads: a.pads,
                                          autoPad: a.autoPad, input: (xs[2], xs[3]), output: (ys[2], ys[3]))
            let x = try read(node.inputs[0]), y = try write(node.outputs[0])
            let arguments: [PlannedArgument] = [.operand(x), .operand(y), .int(code), .int(xs[0]), .int(xs[1]), .int(xs[2]),
                                                .int(xs[3]), .int(ys[2]), .int(ys[3]), .int(window.kernel.r),
                                                .int(window.kernel.s)]
            launch("octet_maxpool2d", work: ys.reduce(1, *), arguments + window.arguments, node: node)
        case .averagePool(let a):
            guard xType == .f32 else { throw unsupported(node, "input is \(xType); float32 only") }
            let window = WindowParameters(kernel: a.kernelShape, strides: a.strides, dilations: a.dilations, pads: a.pads,
                                          autoPad: a.autoPad, input: (xs[2], xs[3]), output: (ys[2], ys[3]))
            guard window.dilation == (1, 1) else { throw unsupported(node, "dilated AveragePool") }
            let x = try read(node.inputs[0]), y = try write(node.outputs[0])
            let arguments: [PlannedArgument] = [.operand(x), .operand(y), .int(xs[0]), .int(xs[1]), .int(xs[2]), .int(xs[3]), .int(ys[2]), .int(ys[3]),
                    .int(window.kernel.r), .int(window.kernel.s), .int(window.stride.h), .int(window.stride.w),
                    .int(window.padBegin.top), .int(window.padBegin.left), .int(window.padEnd.bottom),
                    .int(window.padEnd.right), .flag(a.countIncludePad)]
            launch("octet_avgpool2d_f32", work: ys.reduce(1, *), arguments, node: node)
        case .globalAveragePool, .globalMaxPool:
            guard xType == .f32 else { throw unsupported(node, "input is \(xType); float32 only") }
            let planes = xs[0] * xs[1], size = xs[2] * xs[3]
            let x = try read(node.inputs[0]), y = try write(node.outputs[0])
            launch("octet_global_pool_f32", work: planes,
                   [.operand(x), .operand(y), .int(planes), .int(size), .flag(node.op == .globalMaxPool)], node: node)
        default:
            throw unsupported(node, "not a pool")
        }
    }
}
