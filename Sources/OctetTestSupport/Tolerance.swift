import OctetIR

/// Named tolerances, each with its reason, so no test picks a number on its own.
public enum Tolerance {
    /// Float kernels against onnxruntime on whole real models: summation order differs, nothing else.
    public static let realModelRelative: Double = 1e-4
    /// A graph against itself after folding (BatchNorm into weights, constants evaluated once): only the rounding
    /// order changes, (x·w)·f versus x·(w·f), a few float32 ulps per product.
    public static let foldingRelative: Double = 1e-5
    /// A fast float kernel against a plain loop on one op: only the summation order differs (float sums of
    /// up to a few thousand products against a double-precision reference).
    public static let fastKernelRelative: Double = 1e-5
    /// Per-channel mean of a preprocessed 224x224 crop, Octet against MXNet's ImageRecordIter, in 0-255
    /// levels: the JPEG decoders differ (IDCT rounding, chroma upsampling), the resize does not.
    public static let decodedMeanLevels: Double = 0.5
}

/// ‖a − b‖₂ / ‖b‖₂ over all elements (METHOD.md's measure); infinite when the shapes differ or a NaN appears.
public func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    guard a.count == b.count else { return .infinity }
    var diff = 0.0
    var norm = 0.0
    for i in 0..<a.count {
        let x = Double(a[i]), y = Double(b[i])
        if x.isNaN || y.isNaN { return .infinity }
        diff += (x - y) * (x - y)
        norm += y * y
    }
    if norm == 0 { return diff == 0 ? 0 : .infinity }
    return (diff / norm).squareRoot()
}

public func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    return relativeError(a.floatValues(), b.floatValues())
}
