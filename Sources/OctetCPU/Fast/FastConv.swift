import OctetIR

/// A float Conv with its weights packed once, run on many inputs by the packed GEMM or the depthwise kernel.
///
/// General and grouped convolutions are GEMMs per image and group: C[Cout/g][pixels] = W[Cout/g][Cin/g·kh·kw]
/// · B, where B is the NCHW input itself for 1x1 stride-1 convolutions and an im2col gathered block by block
/// otherwise. Depthwise convolutions (one input channel per group, one output each) use their own kernel.
public struct PreparedConv: Sendable {
    enum Kernel: Sendable {
        case gemm([PackedLHS])
        case depthwise(DepthwiseWeights)
    }

    let weightShape: [Int]
    let attributes: ConvAttributes
    let bias: [Float]?
    let kernel: Kernel
    /// An ungrouped convolution's other path, for output planes of at most 64 pixels on AVX-512.
    let smallPlane: SmallPlaneConv?

    /// Packs a float weight `[Cout, Cin/group, kh, kw]` and bias `[Cout]`; nil when the fast kernels do not
    /// handle this convolution (not 2-D, not float, malformed), so the caller uses the reference.
    public init?(weight: Tensor, bias: Tensor?, attributes: ConvAttributes) {
        guard case .f32(let w) = weight.storage, weight.rank == 4, weight.shape.allSatisfy({ $0 > 0 }),
              attributes.group >= 1, weight.shape[0] % attributes.group == 0 else { return nil }
        if let k = attributes.kernelShape, k != Array(weight.shape[2...]) { return nil }
        if let bias {
            guard case .f32(let b) = bias.storage, bias.shape == [weight.shape[0]] else { return nil }
            self.bias = b
        } else {
            self.bias = nil
        }
        weightShape = weight.shape
        self.attributes = attributes
        let (outChannels, group) = (weight.shape[0], attributes.group)
        smallPlane = group == 1
            ? SmallPlaneConv(weights: w, rows: outChannels, depth: weight.shape[1] * weight.shape[2] * weight.shape[3],
                             bias: self.bias)
            : nil
        if group == outChannels && weight.shape[1] == 1 {
            kernel = .depthwise(DepthwiseWeights(weights: w, channels: outChannels,
                                                 taps: weight.shape[2] * weight.shape[3]))
        } else {
            let rows = outChannels / group
            let depth = weight.shape[1] * weight.shape[2] * weight.shape[3]
            kernel = .gemm(w.withUnsafeBufferPointer { p in
                (0..<group).map { g in
                    PackedLHS(rows: rows, depth: depth, values: p.baseAddress! + g * rows * depth,
                              rowStride: depth, depthStride: 1)
                }
            })
        }
    }

    /// Whether `run` takes a residual: the GEMM kernels add it in their epilogue, the depthwise one does not.
    var takesResidual: Bool {
        if case .gemm = kernel { true } else { false }
    }

    /// Runs the convolution, adds `residual` (a folded Add, same shape as the output) and clamps the results
    /// when `activation` is given (a fused ReLU or Clip); nil when the input does not fit the prepared
    /// weight (the reference kernel then names the problem) or the residual is not a float tensor of the
    /// output's shape, or is given to a depthwise convolution.
    public func run(_ input: Tensor, residual: Tensor? = nil, activation: FusedActivation? = nil,
                    threads: Int) -> Tensor? {
        guard case .f32(let x) = input.storage, input.shape.allSatisfy({ $0 > 0 }),
              let g = ConvGeometry(input: input.shape, weight: weightShape, attributes: attributes) else { return nil }
        let outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth]
        guard let count = outShape.checkedElementCount else { return nil }
        var addend: [Float] = []
        if let residual {
            guard takesResidual, case .f32(let r) = residual.storage, residual.shape == outShape,
                  r.count == count else { return nil }
            addend = r
        }
        let output = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                (bias ?? []).withUnsafeBufferPointer { b in
                    let bias = bias == nil ? nil : b.baseAddress
                    switch kernel {
                    case .gemm(let packed):
                        addend.withUnsafeBufferPointer { r in
                            runGEMM(packed, g, x.baseAddress!, bias, residual == nil ? nil : r.baseAddress,
                                    out.baseAddress!, activation, threads)
                        }
                    case .depthwise(let weights):
                        DepthwiseConv.run(g, input: x.baseAddress!, weights: weights, bias: bias,
                                          output: out.baseAddress!, activation: activation, threads: threads)
                    }
                }
            }
            initialized = count
        }
        return Tensor(shape: outShape, floats: output)
    }

    private func runGEMM(_ packed: [PackedLHS], _ g: ConvGeometry, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                         _ residual: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>,
                         _ activation: FusedActivation?, _ threads: Int) {
        let rows = g.outChannelsPerGroup
        let work = g.batch * g.group
        // Many small groups: one thread per group GEMM beats splitting each tiny GEMM.
        let perItem = g.group > 1 && work >= threads ? 1 : threads
        func item(_ i: Int) {
            let (image, group) = (i / g.group, i % g.group)
            let source = x + (image * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
            let offset = (image * g.outChannels + group * rows) * g.outPlane
            let (target, addend) = (out + offset, residual.map { $0 + offset })
            let groupBias: GEMMBias = bias.map { .rows($0 + group * rows) } ?? .none
            if let smallPlane, Self.gemmPath(g, isa: KernelISA.current) == .smallPlane {
                smallPlane.run(g, source: source, residual: addend, output: target, activation: activation,
                               threads: perItem)
            } else if g.isPointwise {
                let rhs = StridedRHS(values: source, depthStride: g.inPlane, columnStride: 1, columns: g.inPlane)
                PackedGEMM.multiply(packed[group], rhs, columns: g.outPlane, into: target, ldc: g.outPlane,
                                    bias: groupBias, addend: addend, activation: activation, threads: perItem)
            } else {
                let planes = PaddedPlanes(input: source, geometry: g, threads: perItem)
                defer { planes.deallocate() }
                PackedGEMM.multiply(packed[group], Im2colRHS(planes: planes, geometry: g), columns: g.outPlane,
                                    into: target, ldc: g.outPlane, bias: groupBias, addend: addend,
                                    activation: activation, threads: perItem)
            }
        }
        if perItem == 1 && threads > 1 {
            let parts = min(threads, work)
            parallelFor(parts, threads: parts) { t in
                for i in (work * t / parts)..<(work * (t + 1) / parts) { item(i) }
            }
        } else {
            for i in 0..<work { item(i) }
        }
    }

    /// How a non-depthwise convolution's GEMM gets its right operand.
    public enum GEMMPath: Sendable, Equatable {
        /// Pixels as rows, channels in the vector lanes (`SmallPlaneConv`).
        case smallPlane
        /// The NCHW input as it lies (1x1 stride 1).
        case direct
        /// An im2col gathered block by block.
        case im2col
    }

    static func gemmPath(_ g: ConvGeometry, isa: KernelISA) -> GEMMPath {
        // The gathered taps take depth x pixels floats at once, where the im2col packs a block at a time: a
        // file whose filter is far larger than its input keeps the im2col.
        if g.group == 1 && g.outPlane <= SmallPlaneConv.maxPixels && isa == .avx512
            && (g.isPointwise || g.depth * g.outPlane <= SmallPlaneConv.maxGatheredValues) { return .smallPlane }
        return g.isPointwise ? .direct : .im2col
    }
}

/// Conv on the fast kernels, packing the weight for this call only.
public enum FastConv {
    /// `Conv(input, weight, bias)`, plus `residual` when given, then the optional clamp; nil means "not
    /// handled here, use the reference".
    public static func run(input: Tensor, weight: Tensor, bias: Tensor?, attributes: ConvAttributes,
                           residual: Tensor? = nil, activation: FusedActivation? = nil, threads: Int) -> Tensor? {
        PreparedConv(weight: weight, bias: bias, attributes: attributes)?
            .run(input, residual: residual, activation: activation, threads: threads)
    }

    /// The kernel a depthwise convolution of these shapes runs on `isa`; nil when it is not depthwise or
    /// the shapes are malformed.
    public static func depthwisePath(input: [Int], weight: [Int], attributes: ConvAttributes,
                                     isa: KernelISA) -> DepthwiseConv.Path? {
        guard weight.count == 4, attributes.group == weight[0], weight[1] == 1,
              let g = ConvGeometry(input: input, weight: weight, attributes: attributes) else { return nil }
        return DepthwiseConv.path(g, isa: isa)
    }

    /// The path a grouped or ungrouped (not depthwise) convolution of these shapes takes on `isa`; nil when
    /// the shapes are malformed.
    public static func gemmPath(input: [Int], weight: [Int], attributes: ConvAttributes,
                                isa: KernelISA) -> PreparedConv.GEMMPath? {
        guard let g = ConvGeometry(input: input, weight: weight, attributes: attributes) else { return nil }
        return PreparedConv.gemmPath(g, isa: isa)
    }
}

extension FastConv {
    /// A Conv node's inputs on the fast kernels; nil when they decline (absent input, other types, shapes).
    static func run(_ attributes: ConvAttributes, _ ctx: KernelContext) -> Tensor? {
        guard let x = ctx.optionalInput(0), let w = ctx.optionalInput(1) else { return nil }
        return run(input: x, weight: w, bias: ctx.optionalInput(2), attributes: attributes, threads: ctx.threads)
    }
}
