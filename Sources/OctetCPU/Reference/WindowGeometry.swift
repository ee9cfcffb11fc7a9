import OctetIR

/// One spatial axis of a sliding-window op (Conv, ConvTranspose, pools): extents, stride, dilation, pads.
///
/// A window at output position `o` with kernel offset `k` reads input position `o * stride - padBegin + k * dilation`.
struct WindowAxis {
    var input: Int
    var output: Int
    var kernel: Int
    var stride: Int
    var dilation: Int
    var padBegin: Int
    var padEnd: Int

    /// An axis of extent 1 that does nothing: lower-rank windows run as 3-D ones with these in front.
    static let unit = WindowAxis(input: 1, output: 1, kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0)

    /// The input offset of kernel tap `k`: input position = `o * stride + offset(k)`.
    func offset(_ k: Int) -> Int { k * dilation - padBegin }

    /// Output positions whose tap `k` lands inside the input.
    func validOutputs(_ k: Int) -> Range<Int> {
        let off = offset(k)
        let lo = max(0, ceilDiv(-off, stride))
        let hi = min(output, floorDiv(input - 1 - off, stride) + 1)
        return lo..<max(lo, hi)
    }

    /// ConvTranspose: input positions whose tap `k` (output = `i * stride + offset(k)`) lands inside the output.
    func validInputsScattering(_ k: Int) -> Range<Int> {
        let off = offset(k)
        let lo = max(0, ceilDiv(-off, stride))
        let hi = min(input, floorDiv(output - 1 - off, stride) + 1)
        return lo..<max(lo, hi)
    }
}

@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

enum WindowGeometry {
    /// The windows of Conv and the pools: explicit pads (with `ceilMode` for pools) or auto_pad.
    static func axes(input: [Int], kernel: [Int], strides: [Int], dilations: [Int], pads: [Int],
                     autoPad: AutoPad, ceilMode: Bool, _ ctx: KernelContext) throws -> [WindowAxis] {
        let n = input.count
        let s = try perAxis(strides, n, "strides", ctx)
        let d = try perAxis(dilations, n, "dilations", ctx)
        guard kernel.count == n else { throw ctx.attributeError("kernel has \(kernel.count) dims for \(n) spatial axes") }
        guard pads.isEmpty || pads.count == 2 * n else {
            throw ctx.attributeError("pads has \(pads.count) values, expected \(2 * n)")
        }
        var axes: [WindowAxis] = []
        for i in 0..<n {
            guard kernel[i] >= 1 else { throw ctx.attributeError("kernel size \(kernel[i]) must be positive") }
            let extent = (kernel[i] - 1) * d[i] + 1
            var axis = WindowAxis(input: input[i], output: 0, kernel: kernel[i], stride: s[i], dilation: d[i],
                                  padBegin: 0, padEnd: 0)
            switch autoPad {
            case .notSet:
                axis.padBegin = pads.isEmpty ? 0 : pads[i]
                axis.padEnd = pads.isEmpty ? 0 : pads[n + i]
                guard axis.padBegin >= 0, axis.padEnd >= 0 else { throw ctx.attributeError("pads \(pads) are negative") }
                let span = input[i] + axis.padBegin + axis.padEnd - extent
                guard span >= 0 else {
                    throw ctx.error("window of extent \(extent) does not fit spatial size \(input[i]) with pads \(pads)")
                }
                if ceilMode {
                    axis.output = ceilDiv(span, s[i]) + 1
                    // The last window must start inside the input or its leading pad.
                    if (axis.output - 1) * s[i] >= input[i] + axis.padBegin { axis.output -= 1 }
                } else {
                    axis.output = span / s[i] + 1
                }
            case .valid:
                guard input[i] >= extent else {
                    throw ctx.error("window of extent \(extent) does not fit spatial size \(input[i])")
                }
                axis.output = (input[i] - extent) / s[i] + 1
            case .sameUpper, .sameLower:
                axis.output = ceilDiv(input[i], s[i])
                let total = max(0, (axis.output - 1) * s[i] + extent - input[i])
                axis.padBegin = autoPad == .sameUpper ? total / 2 : total - total / 2
                axis.padEnd = total - axis.padBegin
            }
            axes.append(axis)
        }
        return axes
    }

    /// A per-axis attribute: empty means 1 everywhere, otherwise one positive value per spatial axis.
    static func perAxis(_ values: [Int], _ n: Int, _ name: String, _ ctx: KernelContext) throws -> [Int] {
        if values.isEmpty { return [Int](repeating: 1, count: n) }
        guard values.count == n, values.allSatisfy({ $0 >= 1 }) else {
            throw ctx.attributeError("\(name) \(values) must be \(n) positive values")
        }
        return values
    }

    /// Up to three spatial axes as exactly three, unit axes in front.
    static func padded3(_ axes: [WindowAxis]) -> [WindowAxis] {
        [WindowAxis](repeating: .unit, count: 3 - axes.count) + axes
    }
}
