import OctetConformance
import OctetIR
import Testing

/// The comparison behind every conformance verdict: tolerance for floats, exactness for the rest.
@Suite struct TensorComparisonTests {
    @Test func floatsWithinRelativeAndAbsoluteToleranceMatch() {
        let expected = Tensor(shape: [3], floats: [1000, 0, .nan])
        let close = Tensor(shape: [3], floats: [1000 * (1 + ConformanceTolerance.relative / 2),
                                               ConformanceTolerance.absolute / 2, .nan])
        #expect(TensorComparison.mismatch(close, expected) == nil)
        let far = Tensor(shape: [3], floats: [1000 * (1 + 2 * ConformanceTolerance.relative), 0, .nan])
        #expect(TensorComparison.mismatch(far, expected)?.contains("1 of 3 elements differ") == true)
        let nan = Tensor(shape: [3], floats: [1000, .nan, .nan])
        #expect(TensorComparison.mismatch(nan, expected) != nil)
    }

    @Test func integersMustBeExactAndTypesAndShapesMustAgree() {
        let expected = Tensor(shape: [2], int8s: [5, -3])
        #expect(TensorComparison.mismatch(Tensor(shape: [2], int8s: [5, -3]), expected) == nil)
        #expect(TensorComparison.mismatch(Tensor(shape: [2], int8s: [5, -2]), expected) != nil)
        #expect(TensorComparison.mismatch(Tensor(shape: [2], uint8s: [5, 3]), expected)?.contains("type") == true)
        #expect(TensorComparison.mismatch(Tensor(shape: [2, 1], int8s: [5, -3]), expected)?.contains("shape") == true)
    }

    /// An op case's failure names the first element outside the tolerance, where it is, and the worst error.
    @Test func firstMismatchNamesTheFirstElementAndTheLargestError() throws {
        let expected = Tensor(shape: [2, 3], floats: [0, 1, 2, 3, 4, 5])
        let got = Tensor(shape: [2, 3], floats: [0, 1, 2.5, 3, 4, 7])
        let m = try #require(TensorComparison.firstMismatch(got, expected, output: "y", tolerance: .accumulation))
        #expect(m.index == 2 && m.position == [0, 2])
        #expect(m.got == "2.5" && m.expected == "2.0")
        #expect(m.differing == 2 && m.count == 6 && m.maxAbsError == 2)
        #expect(m.description == "output \"y\": 2 of 6 elements differ; first at 2 [0,2]: got 2.5, expected 2.0; "
            + "max abs error 2.0")
        let close = Tensor(shape: [2, 3], floats: [0, 1, 2, 3 + 1e-5, 4, 5])
        #expect(TensorComparison.firstMismatch(close, expected, output: "y", tolerance: .accumulation) == nil)
        #expect(TensorComparison.firstMismatch(close, expected, output: "y", tolerance: .exact)?.index == 3)
        let bytes = Tensor(shape: [3], uint8s: [1, 2, 3])
        #expect(TensorComparison.firstMismatch(Tensor(shape: [3], uint8s: [1, 2, 4]), bytes, output: "y",
                                               tolerance: .accumulation)?.index == 2)
        #expect(TensorComparison.firstMismatch(Tensor(shape: [3], int8s: [1, 2, 3]), bytes, output: "y",
                                               tolerance: .exact)?.description == "output \"y\": type i8, expected type u8")
    }
}
