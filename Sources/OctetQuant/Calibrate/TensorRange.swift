import Dispatch
import OctetIR

/// The calibrated range of one activation and the parameters chosen from it: one entry of
/// `--dump-scales`, reusable with `--load-scales` (a portable calibration cache).
public struct TensorRange: Sendable, Equatable, Codable {
    public var min: Float
    public var max: Float
    /// The symmetric threshold the calibrator chose.
    public var threshold: Double
    public var scale: Float
    public var zeroPoint: Int32
    public var dtype: String
    public var mode: CalibrationMode
    /// A scale per channel (axis 1) for a tensor only depthwise convolutions read; `scale` is the tensor's.
    public var channelScales: [Float]?
    /// Each channel's mean over the calibration set (axis 1), for bias correction.
    public var channelMeans: [Float]?

    enum CodingKeys: String, CodingKey {
        case min, max, threshold, scale, dtype, mode
        case zeroPoint = "zero_point"
        case channelScales = "channel_scales"
        case channelMeans = "channel_means"
    }

    public init(min: Float, max: Float, threshold: Double, scale: Float, zeroPoint: Int32, dtype: String,
                mode: CalibrationMode) {
        self.min = min
        self.max = max
        self.threshold = threshold
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.dtype = dtype
        self.mode = mode
    }

    public var params: QuantParams {
        let type: DType = dtype == "uint8" ? .u8 : .i8
        if let channelScales {
            return QuantParams(scales: channelScales, zeroPoints: Array(repeating: zeroPoint, count: channelScales.count),
                               dtype: type, axis: 1)
        }
        return QuantParams(scales: [scale], zeroPoints: [zeroPoint], dtype: type)
    }
}

extension QuantizationConfig {
    /// Chooses each tensor's parameters from its observer with this configuration's mode and activations.
    /// With a `plan`, its per-channel tensors get a scale per channel and, with `auto` activations, its
    /// never-negative tensors get uint8 from 0.
    public func ranges(_ observers: [String: Observer], mode: CalibrationMode? = nil,
                       plan: QuantizationPlan? = nil) throws(QuantError) -> [String: TensorRange] {
        let mode = mode ?? self.mode
        guard let calibrator = mode.calibrator(calibration) else {
            throw QuantError("--mode \(mode.rawValue) compares the other modes' ranges on sample batches (AutoRanges); "
                + "it has no threshold of its own")
        }
        let entries = observers.sorted { $0.key < $1.key }
        for (name, o) in entries where !o.hasValues {
            throw QuantError("tensor \"\(name)\" saw no finite value during calibration"
                + (o.nonFinite > 0 ? " (\(o.nonFinite) NaN/inf)" : ""))
        }
        // KL's search is quadratic in the bins (about 0.2 s a tensor): tensors are independent, so use every core.
        var thresholds = [Double](repeating: 0, count: entries.count)
        thresholds.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: entries.count) { i in
                slots[i] = calibrator.threshold(for: entries[i].value)
            }
        }
        var out: [String: TensorRange] = [:]
        for ((name, o), threshold) in zip(entries, thresholds) {
            let t = max(threshold, 1e-12)
            let nonNegative = plan?.nonNegativeActivations.contains(name) ?? false
            let unsigned = activations == .uint8 || (activations == .auto && nonNegative)
            let p: QuantParams
            if activations == .uint8 {
                p = .asymmetric(low: Swift.max(Double(o.min), -t), high: Swift.min(Double(o.max), t))
            } else if unsigned {
                p = .asymmetric(low: 0, high: Swift.min(Double(o.max), t))
            } else {
                p = .symmetric(threshold: t, powerOfTwo: calibrator.powerOfTwoScale)
            }
            var range = TensorRange(min: o.min, max: o.max, threshold: t, scale: p.scales[0],
                                    zeroPoint: p.zeroPoints[0], dtype: unsigned ? "uint8" : "int8", mode: mode)
            if plan?.perChannelActivations.contains(name) ?? false, p.zeroPoints[0] == 0 {
                range.channelScales = Self.channelScales(o, threshold: Double(p.scales[0]) * (unsigned ? 255 : 127),
                                                         levels: unsigned ? 255 : 127)
            }
            if biasCorrection { range.channelMeans = o.channelMeans }
            out[name] = range
        }
        return out
    }

    /// Each channel's scale: its own largest magnitude, clipped to the tensor's threshold, and at least
    /// 1/256 of it (a channel of zeros must not make the requantize ratio overflow). Nil when the channels
    /// were not measured consistently.
    static func channelScales(_ o: Observer, threshold: Double, levels: Double) -> [Float]? {
        guard o.channelsConsistent, !o.channelMin.isEmpty, o.channelMin.count == o.channelMax.count, threshold > 0 else {
            return nil
        }
        return zip(o.channelMin, o.channelMax).map { lo, hi in
            let magnitude = Swift.max(Double(-lo), Double(hi))
            let clipped = magnitude.isFinite ? Swift.min(Swift.max(magnitude, threshold / 256), threshold) : threshold
            return Float(clipped / levels)
        }
    }
}
