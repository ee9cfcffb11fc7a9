import OctetIR

// Convolution, dense and pooling ops, and BatchNormalization.

extension ONNXNodeContext {
    func convAttributes() throws -> ConvAttributes {
        try requireInputs(2...3)
        return try convWindow()
    }

    /// Conv's attributes, for the ops that share them (ConvInteger, QLinearConv).
    func convWindow() throws -> ConvAttributes {
        let group = try int("group", default: 1)
        guard group >= 1 else { throw error("group \(group) must be at least 1") }
        return ConvAttributes(kernelShape: try ints("kernel_shape"), strides: try ints("strides") ?? [],
                              pads: try ints("pads") ?? [], dilations: try ints("dilations") ?? [],
                              group: group, autoPad: try choice("auto_pad", default: AutoPad.notSet))
    }

    func importConvTranspose() throws -> Op {
        .convTranspose(ConvTransposeAttributes(conv: try convAttributes(),
                                               outputPadding: try ints("output_padding") ?? [],
                                               outputShape: try ints("output_shape")))
    }

    func importGemm() throws -> Op {
        try requireInputs(2...3)
        return .gemm(GemmAttributes(alpha: try float("alpha", default: 1), beta: try float("beta", default: 1),
                                    transA: try bool("transA", default: false), transB: try bool("transB", default: false)))
    }

    func poolAttributes() throws -> PoolAttributes {
        try requireInputs(1...1)
        return try poolWindow()
    }

    /// The pools' attributes, for the ops that share them (QLinearAveragePool).
    func poolWindow() throws -> PoolAttributes {
        guard let kernel = try ints("kernel_shape") else { throw error("kernel_shape is missing") }
        return PoolAttributes(kernelShape: kernel, strides: try ints("strides") ?? [], pads: try ints("pads") ?? [],
                              dilations: try ints("dilations") ?? [],
                              autoPad: try choice("auto_pad", default: AutoPad.notSet),
                              ceilMode: try bool("ceil_mode", default: false),
                              countIncludePad: try bool("count_include_pad", default: false))
    }

    /// Opsets 7-8 had `spatial` (0 = per-element statistics), 14+ `training_mode`; inference form only.
    mutating func importBatchNormalization() throws -> Op {
        try requireInputs(5...5)
        if opset < 9, try int("spatial", default: 1) != 1 {
            throw error("spatial=0 (per-element statistics) is not supported")
        }
        if try bool("training_mode", default: false) {
            throw error("training_mode=1 is not supported")
        }
        try keepOutputs(1, what: "training statistics")
        return .batchNormalization(epsilon: try float("epsilon", default: 1e-5))
    }
}
