import OctetIR

/// The one place that maps every op to its kernel.
enum Kernels {
    /// `fast: false` runs the reference kernel even where a fast one would take the node (`ReferenceKernels`).
    static func run(_ ctx: KernelContext, fast: Bool = true) throws -> [Tensor] {
        switch ctx.node.op {
        // Dense ops: the fast packed kernels, or the reference for what they decline.
        case .conv(let a): return [try (fast ? FastConv.run(a, ctx) : nil) ?? Conv.run(a, ctx)]
        case .gemm(let a): return [try (fast ? FastDense.gemm(a, ctx) : nil) ?? Gemm.gemm(a, ctx)]
        case .matMul: return [try (fast ? FastDense.matMul(ctx) : nil) ?? Gemm.matMul(ctx)]

        case .convTranspose(let a): return [try ConvTranspose.run(a, ctx)]
        case .binary(let op): return [try Elementwise.binary(op, ctx)]
        case .unary(let op): return [try Elementwise.unary(op, ctx)]
        case .leakyRelu(let alpha): return [try Elementwise.leakyRelu(alpha: alpha, ctx)]
        case .hardSigmoid(let alpha, let beta): return [try Elementwise.hardSigmoid(alpha: alpha, beta: beta, ctx)]
        case .clip: return [try Elementwise.clip(ctx)]
        case .softmax(let axis): return [try Softmax.run(axis: axis, ctx)]
        case .batchNormalization(let epsilon): return [try BatchNorm.run(epsilon: epsilon, ctx)]
        case .maxPool(let a): return try (fast ? FastMaxPool.run(a, ctx) : nil) ?? Pool.run(.max, a, ctx)
        case .averagePool(let a): return try Pool.run(.average, a, ctx)
        case .globalAveragePool: return [try Pool.global(.average, ctx)]
        case .globalMaxPool: return [try Pool.global(.max, ctx)]
        case .reduceMean(let keepDims, let noop):
            return [try ReduceMean.run(keepDims: keepDims, noopWithEmptyAxes: noop, ctx)]
        case .concat(let axis): return [try Layout.concat(axis: axis, ctx)]
        case .split(let axis, let n): return try Layout.split(axis: axis, numOutputs: n, ctx)
        case .reshape(let allowZero): return [try Layout.reshape(allowZero: allowZero, ctx)]
        case .flatten(let axis): return [try Layout.flatten(axis: axis, ctx)]
        case .transpose(let perm): return [try Layout.transpose(perm: perm, ctx)]
        case .squeeze: return [try Layout.squeeze(ctx)]
        case .unsqueeze: return [try Layout.unsqueeze(ctx)]
        case .pad(let mode): return [try Pad.run(mode: mode, ctx)]
        case .resize(let a): return [try Resize.run(a, ctx)]
        case .slice: return [try Slice.run(ctx)]
        case .gather(let axis): return [try Gather.run(axis: axis, ctx)]
        case .shape(let start, let end): return [try ShapeOps.shape(start: start, end: end, ctx)]
        case .constantOfShape(let value): return [try ShapeOps.constantOfShape(value: value, ctx)]
        case .expand: return [try Expand.run(ctx)]
        case .range: return [try RangeOp.run(ctx)]
        case .constant(let t): return [t]
        case .identity: return [try IdentityOps.identity(ctx)]
        case .dropout: return try IdentityOps.dropout(ctx)
        case .cast(let dtype): return [try Cast.run(to: dtype, ctx)]
        case .quantizeLinear(let axis): return [try Quantize.quantize(axis: axis, ctx)]
        case .dequantizeLinear(let axis): return [try Quantize.dequantize(axis: axis, ctx)]
        case .convInteger(let a): return [try IntegerConv.run(a, ctx)]
        case .matMulInteger: return [try IntegerMatMul.run(ctx)]
        case .requantize(let a): return [try RequantizeKernel.run(a, ctx)]
        case .qlinearAdd(let bounds): return [try QLinearAdd.run(bounds, ctx)]
        case .qlinearGlobalAveragePool: return [try QLinearGlobalAveragePool.run(ctx)]
        case .dynamicQuantizeLinear: return try DynamicQuantize.run(ctx)
        }
    }
}
