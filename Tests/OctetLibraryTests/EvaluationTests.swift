import Octet
import OctetIR
import Testing

/// `Evaluation`'s comparison with a reference: top-1 agreement, and whether the logits are the same bits
/// (what `octet eval --reference-target` reports when one model runs on two targets).
struct EvaluationTests {
    @Test func identicalCountsOnlyBitEqualRows() {
        var e = Evaluation()
        let logits = Tensor(shape: [2, 3], floats: [0.5, 2, 1, 3, 0, -1])
        e.add(logits: logits, labels: [1, 0], reference: logits)
        #expect(e.identical == 2 && e.compared == 2 && e.maxDifference == 0)

        let nudged = Tensor(shape: [2, 3], floats: [0.5, 2, 1, 3, 0, (-1 as Float).nextUp])
        e.add(logits: logits, labels: [1, 0], reference: nudged)
        #expect(e.identical == 3 && e.compared == 4, "one ulp apart is not identical")
        #expect(e.maxDifference == (-1 as Float).nextUp - (-1))
        #expect(e.agreementPercent == 100, "the top-1 classes still agree")
        // Signed zeros compare equal as floats but are different bits.
        var z = Evaluation()
        z.add(logits: Tensor(shape: [1, 2], floats: [0, 1]), labels: [nil], reference: Tensor(shape: [1, 2], floats: [-0.0, 1]))
        #expect(z.identical == 0)
    }
}
