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
}
