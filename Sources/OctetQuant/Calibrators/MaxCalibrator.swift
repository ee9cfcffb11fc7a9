/// The largest magnitude seen: nothing saturates, outliers stretch the scale.
public struct MaxCalibrator: Calibrator {
    public var mode: CalibrationMode { .max }

    public init() {}

    public func threshold(for observer: Observer) -> Double { Double(observer.absMax) }
}
