/// Chooses the symmetric threshold T of one tensor from what its observer saw: values in [-T, T] map
/// onto the int8 range, values beyond saturate. One type per mode; `CalibrationMode.calibrator` picks it.
public protocol Calibrator: Sendable {
    var mode: CalibrationMode { get }
    /// T > 0; called only for observers that saw at least one finite value.
    func threshold(for observer: Observer) -> Double
    /// Whether the scale T/127 is rounded up to a power of two (so requantization can be a shift).
    var powerOfTwoScale: Bool { get }
}

extension Calibrator {
    public var powerOfTwoScale: Bool { false }
}

/// Calibration settings with their defaults (TVM's where TVM has one).
public struct CalibrationSettings: Sendable, Equatable {
    /// TVM's `global_scale`.
    public var globalScale: Double = 8.0
    /// `--percentile`: the share of |x| kept inside the range, in percent.
    public var percentile: Double = 99.999
    /// KL: TVM/MXNet use 255 quantized bins over 8001 histogram bins.
    public var quantizedBins: Int = 255
    public var histogramBins: Int = Histogram.defaultBins

    public init() {}
}

extension CalibrationMode {
    /// The calibrator of a mode that judges each tensor alone; nil for `auto`, which compares the others'
    /// thresholds on sample batches (`AutoRanges`).
    public func calibrator(_ settings: CalibrationSettings = CalibrationSettings()) -> (any Calibrator)? {
        switch self {
        case .auto: nil
        case .global: GlobalCalibrator(scale: settings.globalScale)
        case .max: MaxCalibrator()
        case .power2: Power2Calibrator()
        case .kl: KLCalibrator(quantizedBins: settings.quantizedBins)
        case .percentile: PercentileCalibrator(percentile: settings.percentile)
        case .mse: MSECalibrator()
        }
    }
}
