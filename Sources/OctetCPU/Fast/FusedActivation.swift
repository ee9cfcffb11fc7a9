/// An activation folded into a kernel's output: a clamp to `[lower, upper]` (ReLU, ReLU6, Clip).
public struct FusedActivation: Sendable, Equatable {
    public var lower: Float
    public var upper: Float

    public init(lower: Float, upper: Float) {
        self.lower = lower
        self.upper = upper
    }

    /// max(x, 0).
    public static let relu = FusedActivation(lower: 0, upper: .infinity)

    /// Applies the clamp to one value, in the same order as the vector kernels (max, then min).
    @inline(__always)
    public func apply(_ x: Float) -> Float { Swift.min(Swift.max(x, lower), upper) }
}
