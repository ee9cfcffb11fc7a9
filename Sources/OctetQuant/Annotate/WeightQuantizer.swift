import Foundation
import OctetIR

/// Symmetric int8 weights and int32 biases.
enum WeightQuantizer {
    /// Scales per slice along `axis` (or one for the whole tensor): max|w| / 127, or its power-of-two ceiling.
    static func params(_ w: Tensor, axis: Int?, powerOfTwo: Bool) -> QuantParams {
        let values = w.floatValues()
        guard let axis, w.rank > axis else {
            let m = values.reduce(Float(0)) { max($0, abs($1)) }
            return QuantParams(scales: [QuantParams.symmetricScale(Double(m), powerOfTwo: powerOfTwo)],
                               zeroPoints: [0], dtype: .i8)
        }
        let channels = w.shape[axis]
        let inner = w.shape[(axis + 1)...].reduce(1, *)
        var maxima = [Float](repeating: 0, count: channels)
        for (i, v) in values.enumerated() {
            let c = (i / inner) % channels
            maxima[c] = max(maxima[c], abs(v))
        }
        return QuantParams(scales: maxima.map { QuantParams.symmetricScale(Double($0), powerOfTwo: powerOfTwo) },
                           zeroPoints: Array(repeating: 0, count: channels), dtype: .i8, axis: axis)
    }

    /// Throws when `t` (a weight or bias of `node`) holds a NaN or an infinity, which no int8 scale can
    /// represent (and which the conversions below would trap on).
    static func requireFinite(_ t: Tensor, name: String, node: Node) throws(QuantError) {
        guard let i = t.floatValues().firstIndex(where: { !$0.isFinite }) else { return }
        throw QuantError("\(node.op.onnxName) \"\(node.name)\": \"\(name)\" holds \(t.floatValues()[i]) at element \(i); "
            + "only finite weights and biases can be quantized")
    }

    /// `round_half_even(x / scale) + zp`, saturated to the type, per slice along the params' axis.
    static func quantize(_ t: Tensor, _ p: QuantParams) -> Tensor {
        let values = t.floatValues()
        let channels = p.scales.count
        let inner = p.axis.map { t.shape[($0 + 1)...].reduce(1, *) } ?? values.count
        let range = p.range
        var out = [Int64](repeating: 0, count: values.count)
        for (i, v) in values.enumerated() {
            let c = channels == 1 ? 0 : (i / inner) % channels
            let q = (Double(v) / Double(p.scales[c])).rounded(.toNearestOrEven) + Double(p.zeroPoints[c])
            out[i] = Int64(min(max(q, Double(range.lowerBound)), Double(range.upperBound)))
        }
        switch p.dtype {
        case .u8: return Tensor(shape: t.shape, uint8s: out.map { UInt8($0) })
        case .i32: return Tensor(shape: t.shape, int32s: out.map { Int32($0) })
        default: return Tensor(shape: t.shape, int8s: out.map { Int8($0) })
        }
    }

    /// Bias scale per output channel: input scale x weight scale (zero point 0, int32).
    static func biasParams(input: QuantParams, weight: QuantParams, channels: Int) -> QuantParams {
        // A depthwise convolution's input may have a scale per channel, as its weight does.
        let scales = (0..<channels).map { c in
            (input.scales.count == channels ? input.scales[c] : input.scales[0])
                * (weight.scales.count == channels ? weight.scales[c] : weight.scales[0])
        }
        return QuantParams(scales: scales, zeroPoints: Array(repeating: 0, count: channels), dtype: .i32,
                           axis: channels > 1 || weight.axis != nil || input.axis != nil ? 0 : nil)
    }
}
