import OctetIR

/// How close a float result must be to the expected one.
public enum ConformanceTolerance {
    /// ONNX's backend test runner compares with `numpy.testing.assert_allclose(rtol=1e-3, atol=1e-5)`;
    /// the same bounds here make "passes" mean what it means for other ONNX backends.
    public static let relative: Float = 1e-3
    public static let absolute: Float = 1e-5
}

public enum TensorComparison {
    /// Nil when `actual` matches `expected`: same type and shape; integers and bools exactly, floats within
    /// `ConformanceTolerance` (`|a - e| <= absolute + relative * |e|`, NaN only where NaN is expected).
    /// Otherwise a sentence saying where they differ.
    public static func mismatch(_ actual: Tensor, _ expected: Tensor) -> String? {
        guard actual.dtype == expected.dtype else { return "type \(actual.dtype), expected \(expected.dtype)" }
        guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
        if actual.dtype.isFloatingPoint {
            let a = actual.floatValues(), e = expected.floatValues()
            var worst: (index: Int, excess: Float)? = nil
            var failures = 0
            for i in 0..<a.count {
                let excess: Float
                if a[i].isNaN || e[i].isNaN {
                    excess = a[i].isNaN == e[i].isNaN ? 0 : .infinity
                } else if a[i] == e[i] {
                    excess = 0  // also equal infinities
                } else {
                    excess = abs(a[i] - e[i]) - (ConformanceTolerance.absolute + ConformanceTolerance.relative * abs(e[i]))
                }
                if !(excess <= 0) {
                    failures += 1
                    if let w = worst, !(excess > w.excess) { continue }
                    worst = (i, excess)
                }
            }
            guard let worst else { return nil }
            return "\(failures) of \(a.count) elements differ; worst at \(worst.index): "
                + "\(a[worst.index]), expected \(e[worst.index])"
        }
        let a = actual.int64Values(), e = expected.int64Values()
        let differing = (0..<a.count).filter { a[$0] != e[$0] }
        guard let first = differing.first else { return nil }
        return "\(differing.count) of \(a.count) elements differ; first at \(first): \(a[first]), expected \(e[first])"
    }
}
