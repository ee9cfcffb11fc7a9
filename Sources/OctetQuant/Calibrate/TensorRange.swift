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

    enum CodingKeys: String, CodingKey {
        case min, max, threshold, scale, dtype, mode
        case zeroPoint = "zero_point"
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
        QuantParams(scales: [scale], zeroPoints: [zeroPoint], dtype: dtype == "uint8" ? .u8 : .i8)
    }
}

extension QuantizationConfig {
    /// Chooses each tensor's parameters from its observer with this configuration's mode and activations.
    public func ranges(_ observers: [String: Observer], mode: CalibrationMode? = nil) throws(QuantError)
        -> [String: TensorRange] {
        let mode = mode ?? self.mode
        let calibrator = mode.calibrator(calibration)
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
            let p: QuantParams
            switch activations {
            case .int8:
                p = .symmetric(threshold: t, powerOfTwo: calibrator.powerOfTwoScale)
            case .uint8:
                p = .asymmetric(low: Swift.max(Double(o.min), -t), high: Swift.min(Double(o.max), t))
            }
            out[name] = TensorRange(min: o.min, max: o.max, threshold: t, scale: p.scales[0],
                                    zeroPoint: p.zeroPoints[0], dtype: activations.rawValue, mode: mode)
        }
        return out
    }
}
