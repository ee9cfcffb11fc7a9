import OctetIR

/// Identity, Constant and inference Dropout (the data unchanged, an all-true mask when asked for).
enum IdentityOps {
    static func identity(_ ctx: KernelContext) throws -> Tensor { try ctx.input(0) }

    /// Training mode with a nonzero ratio drops at random, which a reference cannot reproduce.
    static func dropout(_ ctx: KernelContext) throws -> [Tensor] {
        let x = try ctx.input(0)
        let ratio = ctx.optionalInput(1)?.floatValues().first ?? 0.5
        let training = ctx.optionalInput(2)?.floatValues().first ?? 0
        if training != 0 && ratio != 0 {
            throw ctx.unsupported("Dropout in training mode with ratio \(ratio) is random")
        }
        guard ctx.wantsOutput(1) else { return [x] }
        return [x, Tensor(shape: x.shape, bools: [Bool](repeating: true, count: x.count))]
    }
}
