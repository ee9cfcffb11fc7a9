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

    /// Applies the clamp to one value as the vector kernels do (a NaN stays NaN).
    @inline(__always)
    public func apply(_ x: Float) -> Float {
        var r = x
        if r < lower { r = lower }
        if r > upper { r = upper }
        return r
    }
}

extension SIMD4<Float> {
    /// Lanes clamped to `[lower, upper]`; written with comparisons so it compiles to `maxps`/`minps`
    /// (the standard library's `clamped` is an out-of-line generic call on SIMD types).
    @inline(__always)
    func clamped(_ lower: SIMD4<Float>, _ upper: SIMD4<Float>) -> SIMD4<Float> {
        var r = self
        r = r.replacing(with: lower, where: r .< lower)
        return r.replacing(with: upper, where: r .> upper)
    }
}
