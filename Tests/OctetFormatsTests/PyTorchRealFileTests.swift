import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

/// Real weight files against the keys, shapes and sums torch itself reports (Fixtures/torch/*_keys.tsv).
@Suite struct PyTorchRealFileTests {
    /// Sums are printed with 7 significant digits and summed in another order: 1e-5 covers both.
    static let sumTolerance = 1e-5

    struct Case: CustomStringConvertible, Sendable {
        var file: String
        var reference: String
        /// torch.save files keep state_dict order; a TorchScript module lists its attributes its own way.
        var sameOrder: Bool
        /// TorchScript walks every tensor attribute, some of which state_dict() leaves out.
        var extraKeysAllowed: Bool
        /// Written by Scripts/make-torch-fixtures.py with torch, not fetched.
        var madeByTorch = false
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(file: "mobilenet_v2-b0353104.pth", reference: "mobilenet_v2_keys.tsv", sameOrder: true, extraKeysAllowed: false),
        Case(file: "mobilenet_v2_zip.pth", reference: "mobilenet_v2_keys.tsv", sameOrder: true, extraKeysAllowed: false,
             madeByTorch: true),
        Case(file: "mobilenet_v2_deflated.pth", reference: "mobilenet_v2_keys.tsv", sameOrder: true, extraKeysAllowed: false,
             madeByTorch: true),
        Case(file: "mobilenet_v2_script.pt", reference: "mobilenet_v2_keys.tsv", sameOrder: false, extraKeysAllowed: false,
             madeByTorch: true),
        Case(file: "efficientnet-lite0-57934424.pth", reference: "efficientnet_lite0_keys.tsv", sameOrder: true, extraKeysAllowed: false),
        Case(file: "weights.pth", reference: "resnet18_weights_keys.tsv", sameOrder: true, extraKeysAllowed: false),
        Case(file: "silero_vad.jit", reference: "silero_vad_keys.tsv", sameOrder: false, extraKeysAllowed: true),
    ]

    @Test(arguments: cases)
    func readsEveryKeyWithTorchsShapesAndSums(_ c: Case) throws {
        guard let path = try cachedWeights(c.file, madeByTorch: c.madeByTorch) else { return }
        let references = try TorchReference.load(c.reference)
        let dict = try PyTorchFile.load(path: path)
        #expect(references.count > 20)
        for ref in references {
            let tensor = try #require(dict[ref.key], "\(c.file): no tensor '\(ref.key)'")
            #expect(tensor.shape == ref.shape, "\(ref.key)")
            #expect(tensor.dtype == ref.expectedDType, "\(ref.key)")
            let got = tensor.sums
            let expected = try #require(ref.sums)
            for (name, a, b) in [("sum", got.sum, expected.sum), ("abs_sum", got.absSum, expected.absSum),
                                 ("weighted_sum", got.weightedSum, expected.weightedSum)] {
                #expect(abs(a - b) <= Self.sumTolerance * abs(b), "\(c.file) \(ref.key): \(name) \(a), torch says \(b)")
            }
        }
        #expect(dict.notes.isEmpty, "float32 files need no conversion")
        if c.sameOrder {
            #expect(dict.keys == references.map(\.key))
        } else if !c.extraKeysAllowed {
            #expect(Set(dict.keys) == Set(references.map(\.key)))
        }
    }
}
