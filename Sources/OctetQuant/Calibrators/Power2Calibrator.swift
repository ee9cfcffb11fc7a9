/// The largest magnitude, with the scale rounded up to a power of two so that requantization between
/// power-of-two scales is a shift (TVM's `round_for_shift`).
public struct Power2Calibrator: Calibrator {
    public var mode: CalibrationMode { .power2 }
    public var powerOfTwoScale: Bool { true }

    public init() {}

    public func threshold(for observer: Observer) -> Double { Double(observer.absMax) }
}
