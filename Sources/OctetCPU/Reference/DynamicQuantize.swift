import OctetIR

/// DynamicQuantizeLinear: uint8 over the tensor's own range widened to include zero, as ONNX defines it:
/// `scale = (max(0, max x) - min(0, min x)) / 255`, `zero_point = saturate(round_half_even(-min / scale))`,
/// `y = saturate(round_half_even(x / scale) + zero_point)`. An all-zero tensor gets scale 1 (as onnxruntime
/// gives it) instead of the spec's division by zero.
enum DynamicQuantize {
    static func run(_ ctx: KernelContext) throws -> [Tensor] {
        let x = try ctx.input(0)
        let values = try ctx.floats(x)
        var low: Float = 0, high: Float = 0
        for v in values where v.isFinite {
            low = min(low, v)
            high = max(high, v)
        }
        guard values.allSatisfy({ $0.isFinite }) else {
            throw ctx.error("input holds NaN or an infinity: it has no range to quantize over")
        }
        let scale: Float = high == low ? 1 : (high - low) / 255
        let zero = min(max((0 - low / scale).rounded(.toNearestOrEven), 0), 255)
        let y = values.map { v -> UInt8 in UInt8(min(max((v / scale).rounded(.toNearestOrEven) + zero, 0), 255)) }
        return [Tensor(shape: x.shape, uint8s: y), .scalar(scale), Tensor(shape: [], uint8s: [UInt8(zero)])]
    }
}
