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

/// Where a backend's output leaves the reference's: the first element outside the tolerance, and how far off
/// the worst one is. An op case's failure detail.
public struct OutputMismatch: Sendable, Equatable, CustomStringConvertible {
    public var output: String
    /// The first element outside the tolerance, row-major; nil when the type or shape already differ.
    public var index: Int?
    /// `index` as a position in the output's shape.
    public var position: [Int]
    public var expected: String
    public var got: String
    /// How many elements lie outside the tolerance, of `count`.
    public var differing: Int
    public var count: Int
    /// The largest |got - expected| over every element (infinite where NaN meets a number).
    public var maxAbsError: Double

    public var description: String {
        guard let index else { return "output \"\(output)\": \(got), expected \(expected)" }
        let at = "[" + position.map(String.init).joined(separator: ",") + "]"
        return "output \"\(output)\": \(differing) of \(count) elements differ; first at \(index) \(at): got \(got), "
            + "expected \(expected); max abs error \(maxAbsError)"
    }
}

extension TensorComparison {
    /// Nil when `got` matches `expected`: same type and shape, integers and bools exactly, floats within
    /// `tolerance`. Otherwise the first differing element and the largest error.
    public static func firstMismatch(_ got: Tensor, _ expected: Tensor, output: String,
                                     tolerance: OpTolerance) -> OutputMismatch? {
        func whole(_ what: String, _ g: String, _ e: String) -> OutputMismatch {
            OutputMismatch(output: output, index: nil, position: [], expected: "\(what) \(e)", got: "\(what) \(g)",
                           differing: got.count, count: got.count, maxAbsError: .infinity)
        }
        guard got.dtype == expected.dtype else { return whole("type", got.dtype.rawValue, expected.dtype.rawValue) }
        guard got.shape == expected.shape else { return whole("shape", "\(got.shape)", "\(expected.shape)") }
        var first: Int? = nil, differing = 0, worst = 0.0
        let text: (Int) -> (got: String, expected: String)
        if got.dtype.isFloatingPoint {
            let g = got.floatValues(), e = expected.floatValues()
            for i in 0..<g.count {
                let error = g[i].isNaN && e[i].isNaN || g[i] == e[i] ? 0 : Double(abs(g[i] - e[i]))
                worst = max(worst, error.isNaN ? .infinity : error)
                if !tolerance.accepts(g[i], e[i]) {
                    differing += 1
                    if first == nil { first = i }
                }
            }
            text = { ("\(g[$0])", "\(e[$0])") }
        } else {
            let g = got.int64Values(), e = expected.int64Values()
            for i in 0..<g.count where g[i] != e[i] {
                worst = max(worst, abs(Double(g[i]) - Double(e[i])))
                differing += 1
                if first == nil { first = i }
            }
            text = { ("\(g[$0])", "\(e[$0])") }
        }
        guard let first else { return nil }
        var position = [Int](repeating: 0, count: got.rank), rest = first
        for axis in stride(from: got.rank - 1, through: 0, by: -1) where got.shape[axis] > 0 {
            position[axis] = rest % got.shape[axis]
            rest /= got.shape[axis]
        }
        let values = text(first)
        return OutputMismatch(output: output, index: first, position: position, expected: values.expected,
                              got: values.got, differing: differing, count: got.count, maxAbsError: worst)
    }
}
