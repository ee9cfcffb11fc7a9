/// How far a backend's float output may be from the reference kernels': `|got - expected| <= absolute +
/// relative · |expected|`, with NaN only where NaN is expected. Integer outputs are always compared exactly,
/// whatever the case's tolerance: the integer path's rounding rules are spelled out (`Requantize`,
/// `QLinearRules`) so that every backend gives the same bits.
///
/// Every tolerance an op case may use is here, with its reason; the float inputs the catalog makes lie in
/// about [-4, 4], which the absolute bounds assume.
public struct OpTolerance: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var absolute: Float
    public var relative: Float

    /// Data movement, selection and clamps (Reshape, Concat, MaxPool, Relu, Clip, Floor): a backend copies or
    /// compares values and never rounds, so any difference is a bug.
    public static let exact = OpTolerance(name: "exact", absolute: 0, relative: 0)

    /// One or a few correctly rounded IEEE operations per element (Add, Div, Sqrt, DequantizeLinear,
    /// HardSwish): the same bits unless a backend orders or contracts them into a fused multiply-add, a few
    /// ulps at most (2^-21 is 4 ulps); the absolute part covers results that cancel to near zero.
    public static let rounding = OpTolerance(name: "rounding", absolute: 1e-7, relative: 0x1p-21)

    /// exp, tanh, erf and pow from different math libraries (glibc against CUDA's, which documents 2 to 4 ulps),
    /// and Softmax's sum of them.
    public static let transcendental = OpTolerance(name: "transcendental", absolute: 1e-6, relative: 1e-5)

    /// Sums of up to a few hundred products or a window's values (Conv, Gemm, MatMul, AveragePool) in
    /// another order, blocked and with fused multiply-adds: each sum differs by a few ulps of its largest
    /// partial sums, which is absolute, not relative to a result that may cancel to near zero. The CPU's fast
    /// kernels differ from the reference by at most 2e-6 on the catalog's sums (up to 200 terms); TF32
    /// tensor-core math, at 1e-3, must not pass.
    public static let accumulation = OpTolerance(name: "accumulation", absolute: 3e-5, relative: 1e-5)

    /// Whether `got` is close enough to `expected`.
    @inline(__always)
    public func accepts(_ got: Float, _ expected: Float) -> Bool {
        if got.isNaN || expected.isNaN { return got.isNaN && expected.isNaN }
        if got == expected { return true }  // equal infinities too
        return abs(got - expected) <= absolute + relative * abs(expected)
    }

    public var description: String {
        self == .exact ? name : "\(name) (absolute \(absolute), relative \(relative))"
    }
}
