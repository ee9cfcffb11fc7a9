import OctetIR

/// ConvInteger with an int32 bias: `acc = bias[c] + Σ (x - x_zp) · (w - w_zp[c])`, exact in int32.
///
/// The oracle for the fast integer kernels: plain loops, one output element at a time. Padding reads the
/// zero point (it contributes nothing), as ONNX ConvInteger and QLinearConv define it.
enum IntegerConv {
    static func run(_ attributes: ConvAttributes, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0), w = try ctx.input(1)
        let window = try ConvolutionWindow(input: x, weight: w, attributes: attributes, ctx)
        let (batch, channels, outChannels) = (window.batch, window.channels, window.outChannels)
        let (groupChannels, group, axes) = (window.groupChannels, window.group, window.axes)
        let operands = try IntegerOperands(ctx, data: 0, weight: 1, bias: 2, dataZero: 3, weightZero: 4,
                                           outputChannels: outChannels)
        let outShape = window.outShape
        let (ad, ah, aw) = (axes[0], axes[1], axes[2])
        let inPlane = ad.input * ah.input * aw.input, outPlane = ad.output * ah.output * aw.output
        let perGroup = outChannels / group
        var out = [Int32](repeating: 0, count: try ctx.elementCount(outShape))
        let (input, weight) = (operands.data, operands.weight)
        out.withUnsafeMutableBufferPointer { dst in
            parallelFor(batch * outChannels, threads: ctx.threads) { job in
                let image = job / outChannels, oc = job % outChannels, g = oc / perGroup
                let wz = operands.weightZero(oc)
                for od in 0..<ad.output {
                    for oy in 0..<ah.output {
                        for ox in 0..<aw.output {
                            var acc = operands.bias(oc)
                            for c in 0..<groupChannels {
                                let plane = (image * channels + g * groupChannels + c) * inPlane
                                for kd in 0..<ad.kernel {
                                    let id = od * ad.stride + ad.offset(kd)
                                    guard id >= 0 && id < ad.input else { continue }
                                    for kh in 0..<ah.kernel {
                                        let iy = oy * ah.stride + ah.offset(kh)
                                        guard iy >= 0 && iy < ah.input else { continue }
                                        for kw in 0..<aw.kernel {
                                            let ix = ox * aw.stride + aw.offset(kw)
                                            guard ix >= 0 && ix < aw.input else { continue }
                                            let xv = input[plane + (id * ah.input + iy) * aw.input + ix] - operands.dataZero
                                            let tap = ((oc * groupChannels + c) * ad.kernel + kd) * ah.kernel * aw.kernel
                                                + kh * aw.kernel + kw
                                            acc &+= xv &* (weight[tap] - wz)
                                        }
                                    }
                                }
                            }
                            dst[job * outPlane + (od * ah.output + oy) * aw.output + ox] = acc
                        }
                    }
                }
            }
        }
        return Tensor(shape: outShape, int32s: out)
    }
}

/// The operands of ConvInteger or MatMulInteger as Int32, with their zero points and bias checked.
struct IntegerOperands {
    let data: [Int32]
    let weight: [Int32]
    let dataZero: Int32
    private let weightZeros: [Int32]
    private let biases: [Int32]?

    init(_ ctx: KernelContext, data d: Int, weight w: Int, bias b: Int, dataZero dz: Int, weightZero wz: Int,
         outputChannels: Int) throws {
        let x = try ctx.input(d), weight = try ctx.input(w)
        data = try Self.integers(x, "input", ctx)
        self.weight = try Self.integers(weight, "weight", ctx)
        dataZero = try Self.zeroPoint(ctx.optionalInput(dz), of: x, count: 1, "input", ctx)[0]
        weightZeros = try Self.zeroPoint(ctx.optionalInput(wz), of: weight, count: outputChannels, "weight", ctx)
        if let bias = ctx.optionalInput(b) {
            guard case .i32(let v) = bias.storage, bias.rank == 1, v.count == outputChannels else {
                throw ctx.error("bias is \(bias.dtype) \(bias.shape); expected i32 [\(outputChannels)]")
            }
            biases = v
        } else {
            biases = nil
        }
    }

    @inline(__always) func weightZero(_ channel: Int) -> Int32 { weightZeros.count == 1 ? weightZeros[0] : weightZeros[channel] }
    @inline(__always) func bias(_ channel: Int) -> Int32 { biases?[channel] ?? 0 }

    static func integers(_ t: Tensor, _ what: String, _ ctx: KernelContext) throws -> [Int32] {
        switch t.storage {
        case .i8(let v): return v.map(Int32.init)
        case .u8(let v): return v.map(Int32.init)
        default: throw ctx.unsupported("\(what) is \(t.dtype); int8 and uint8 are supported")
        }
    }

    /// A zero point of the data's type: one value, or `count` (one per output channel); absent means 0.
    static func zeroPoint(_ zp: Tensor?, of data: Tensor, count: Int, _ what: String, _ ctx: KernelContext) throws -> [Int32] {
        guard let zp else { return [0] }
        guard zp.dtype == data.dtype else {
            throw ctx.error("\(what) zero point is \(zp.dtype), the \(what) is \(data.dtype)")
        }
        guard zp.count == 1 || (zp.rank == 1 && zp.count == count) else {
            throw ctx.error("\(what) zero point has shape \(zp.shape); expected one value\(count > 1 ? " or \(count)" : "")")
        }
        return try integers(zp, what + " zero point", ctx)
    }
}
