import OctetCPUKernels
import OctetIR

/// An integer Conv (ONNX ConvInteger / QLinearConv's core) with its weights packed once: u8/i8 activations
/// times 8-bit weights, exact int32 accumulation, the epilogue fused into the kernels.
///
/// acc[c][p] = bias[c] + Σ_k (x[k][p] - xZero)·(w[c][k] - wZero[c]), padded taps contributing nothing.
/// General and grouped convolutions are int8 GEMMs per image and group (the 1x1 stride-1 input packed as
/// is, others through an im2col of a zero-point-padded copy); int8 activations are flipped to uint8 by
/// xor 0x80 (zero point + 128) for vpdpbusd's u8 x s8, and -xZero·Σ_k w[c][k] is folded into the bias.
/// Depthwise convolutions use their own kernel.
public final class PreparedIntegerConv: Sendable {
    enum Kernel: Sendable {
        case gemm([PackedInt8Weights])
        case depthwise(IntegerDepthwiseWeights)
    }

    let weightShape: [Int]
    let attributes: ConvAttributes
    let inputType: DType
    let inputZeroPoint: Int32
    let epilogue: IntegerEpilogueTable
    /// Per output channel, the accumulator's starting value: the bias, less the folded zero-point term for GEMMs.
    let bias: [Int32]
    let kernel: Kernel

    /// Whether this convolution runs on the depthwise kernel rather than the GEMM.
    public var isDepthwise: Bool {
        if case .depthwise = kernel { true } else { false }
    }

    /// The depthwise kernel variant that runs an input of `inputShape` on `isa` ("general", "paired taps",
    /// "narrow stride 2, rows of 8"); nil for a GEMM convolution or an input that does not fit.
    public func depthwiseVariant(inputShape: [Int], isa: IntegerKernelISA) -> String? {
        guard case .depthwise = kernel,
              let g = ConvGeometry(input: inputShape, weight: weightShape, attributes: attributes) else { return nil }
        return IntegerDepthwise.variant(g, isa: isa).description
    }

    /// The GEMM kernel that runs an input of `inputShape` on `isa` ("columns", "channel lanes"); nil for a
    /// depthwise convolution or an input that does not fit.
    public func gemmVariant(inputShape: [Int], isa: IntegerKernelISA) -> String? {
        guard case .gemm = kernel,
              let g = ConvGeometry(input: inputShape, weight: weightShape, attributes: attributes) else { return nil }
        return ChannelLaneGEMM.variant(g, epilogueKind: epilogue.kind, isa: isa).rawValue
    }

    /// weight: .i8 or .u8 [Cout, Cin/group, kh, kw] (2-D convs only); weightZeroPoints: 1 or Cout values;
    /// bias: nil or Cout int32 values; inputZeroPoint and inputType (.i8/.u8) describe the activation.
    /// nil when these kernels do not handle it (then the caller runs its reference kernel): malformed
    /// shapes, or a GEMM convolution whose w - wZero leaves int8 (e.g. uint8 weights not centred on 128).
    public init?(weight: Tensor, weightZeroPoints: [Int32], bias: [Int32]?, inputZeroPoint: Int32, inputType: DType,
                 attributes: ConvAttributes, epilogue: IntegerEpilogue) {
        guard weight.rank == 4, weight.shape.allSatisfy({ $0 > 0 }), let w = weight.int8Values,
              attributes.group >= 1, weight.shape[0] % attributes.group == 0 else { return nil }
        if let k = attributes.kernelShape, k != Array(weight.shape[2...]) { return nil }
        let channels = weight.shape[0]
        guard weightZeroPoints.count == 1 || weightZeroPoints.count == channels,
              bias == nil || bias!.count == channels,
              let zx = IntegerActivation.unsignedZeroPoint(inputZeroPoint, inputType),
              let table = IntegerEpilogueTable(epilogue, channels: channels) else { return nil }
        let depth = weight.shape[1] * weight.shape[2] * weight.shape[3]
        func centred(_ c: Int, _ k: Int) -> Int32 {
            w[c * depth + k] - weightZeroPoints[weightZeroPoints.count == 1 ? 0 : c]
        }
        let group = attributes.group
        let bias = bias ?? Array(repeating: 0, count: channels)
        if group == channels && weight.shape[1] == 1 {
            let values = (0..<channels * depth).map { centred($0 / depth, $0 % depth) }
            // The kernels multiply 16-bit halves: plane values (x - xZero) and these weights must fit int16.
            guard values.allSatisfy({ abs($0) <= Int32(Int16.max) }) else { return nil }
            kernel = .depthwise(IntegerDepthwiseWeights(taps: depth, values: values))
            self.bias = bias
        } else {
            let rows = channels / group
            for c in 0..<channels {
                for k in 0..<depth where !(-128...127).contains(centred(c, k)) { return nil }
            }
            let packed = (0..<group).map { g in
                PackedInt8Weights(rows: rows, depth: depth) { r, k in centred(g * rows + r, k) }
            }
            kernel = .gemm(packed)
            self.bias = (0..<channels).map { c in bias[c] &- Int32(zx) &* packed[c / rows].rowSums[c % rows] }
        }
        weightShape = weight.shape
        self.attributes = attributes
        self.inputType = inputType
        self.inputZeroPoint = inputZeroPoint
        self.epilogue = table
    }

    /// nil when the input does not fit (wrong dtype/rank/channels): the caller's reference then names the problem.
    public func run(_ input: Tensor, threads: Int) -> Tensor? {
        guard input.dtype == inputType, input.shape.allSatisfy({ $0 > 0 }),
              let g = ConvGeometry(input: input.shape, weight: weightShape, attributes: attributes) else { return nil }
        let outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth]
        guard let count = outShape.checkedElementCount else { return nil }
        let isa = IntegerKernelISA.current
        return epilogue.makeOutput(shape: outShape, count: count) { out in
            _ = input.withInt8Bytes { x in
                bias.withUnsafeBufferPointer { b in
                    epilogue.scales.withUnsafeBufferPointer { s in
                        switch kernel {
                        case .gemm(let packed):
                            runGEMM(packed, g, x, b.baseAddress!, s.baseAddress, out, isa, threads)
                        case .depthwise(let weights):
                            let e = epilogue.c(bias: b.baseAddress!, scales: s.baseAddress, first: 0)
                            IntegerDepthwise.run(g, input: x, signed: inputType == .i8, zeroPoint: inputZeroPoint,
                                                 weights: weights, epilogue: e, output: out,
                                                 isa: isa, threads: threads)
                        }
                    }
                }
            }
        }
    }

    private func runGEMM(_ packed: [PackedInt8Weights], _ g: ConvGeometry, _ x: UnsafePointer<UInt8>,
                         _ bias: UnsafePointer<Int32>, _ scales: UnsafePointer<Float>?, _ out: UnsafeMutableRawPointer,
                         _ isa: IntegerKernelISA, _ threads: Int) {
        let rows = g.outChannelsPerGroup
        let work = g.batch * g.group
        // Many small groups: one thread per group GEMM beats splitting each tiny GEMM.
        let perItem = g.group > 1 && work >= threads ? 1 : threads
        let flip: UInt8 = inputType == .i8 ? 0x80 : 0
        let zx = IntegerActivation.unsignedZeroPoint(inputZeroPoint, inputType)!
        func item(_ i: Int) {
            let (image, group) = (i / g.group, i % g.group)
            let w = packed[group]
            let source = x + (image * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
            let first = group * rows
            let target = out + (image * g.outChannels + first) * g.outPlane * epilogue.elementSize
            let groups = (g.outPlane + 15) / 16
            let b = UnsafeMutablePointer<UInt8>.allocate(capacity: groups * w.depth4 * 64)
            defer { b.deallocate() }
            w.packed.withUnsafeBufferPointer { a in
                w.pairs.withUnsafeBufferPointer { pairs in
                    let gemm = OctetI8GEMM(a: a.baseAddress, a_pairs: pairs.baseAddress, b: b, rows: rows,
                                           columns: g.outPlane, depth4: w.depth4, c: target, ldc: g.outPlane,
                                           epilogue: epilogue.c(bias: bias, scales: scales, first: first))
                    if ChannelLaneGEMM.variant(g, epilogueKind: epilogue.kind, isa: isa) == .channelLanes {
                        ChannelLaneGEMM.multiply(gemm, source: source, depth: w.depth, flip: flip, b: b, threads: perItem)
                    } else if g.isPointwise {
                        let packRows = isa == .avx512vnni ? octet_i8_pack_rows_avx512 : octet_i8_pack_rows
                        IntegerGEMM.multiply(isa, gemm, blockCount: w.blocks, threads: perItem) { range in
                            packRows(source, g.inPlane, w.depth, g.outPlane, flip, 0, range.lowerBound, range.upperBound, b)
                        }
                    } else {
                        let im2col = Im2colInt8(source: source, geometry: g, flip: flip, zeroPoint: zx, depth4: w.depth4)
                        defer { im2col.deallocate() }
                        IntegerGEMM.multiply(isa, gemm, blockCount: w.blocks, threads: perItem) { range in
                            im2col.pack(range, into: b, isa: isa)
                        }
                    }
                }
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
}

/// How activations enter the kernels.
enum IntegerActivation {
    /// The zero point after int8 activations are flipped to uint8 (x + 128); nil outside the type's range.
    static func unsignedZeroPoint(_ zeroPoint: Int32, _ type: DType) -> UInt8? {
        switch type {
        case .u8: (0...255).contains(zeroPoint) ? UInt8(zeroPoint) : nil
        case .i8: (-128...127).contains(zeroPoint) ? UInt8(zeroPoint + 128) : nil
        default: nil
        }
    }
}
