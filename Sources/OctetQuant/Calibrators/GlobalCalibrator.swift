/// TVM's `global_scale`: one threshold for every activation, whatever the data (default 8.0).
public struct GlobalCalibrator: Calibrator {
    public var scale: Double
    public var mode: CalibrationMode { .global }

    public init(scale: Double) { self.scale = scale }

    public func threshold(for observer: Observer) -> Double { scale }
}
