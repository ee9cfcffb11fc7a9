import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

/// Small committed files (Scripts/make-torch-fixtures.py) whose every value torch listed in a .tsv.
@Suite struct PyTorchSmallFileTests {
    /// Compares keys in order, dtypes, shapes and every value exactly (bf16 and f64 as the f32 torch rounds to).
    func expectMatches(_ dict: StateDict, _ references: [TorchReference], file: String) throws {
        #expect(dict.keys == references.map(\.key), "\(file)")
        for ref in references {
            let tensor = try #require(dict[ref.key], "\(file): no '\(ref.key)'")
            #expect(tensor.shape == ref.shape, "\(file) \(ref.key)")
            #expect(tensor.dtype == ref.expectedDType, "\(file) \(ref.key)")
            let values = try #require(ref.values)
            if tensor.dtype.isFloatingPoint {
                #expect(tensor.floatValues() == values.map { Float($0) }, "\(file) \(ref.key)")
            } else {
                #expect(tensor.int64Values() == values.map { Int64($0) }, "\(file) \(ref.key)")
            }
        }
    }

    /// The same tensors saved four ways: zip, legacy, zip with deflated entries, zip64 records.
    @Test(arguments: ["tiny_zip.pth", "tiny_legacy.pth", "tiny_deflated.pth", "tiny_zip64.pth"])
    func everyDTypeStrideAndSharedStorage(_ name: String) throws {
        let dict = try PyTorchFile.load(path: Paths.fixture("torch/" + name).path)
        try expectMatches(dict, try TorchReference.load("tiny_expected.tsv"), file: name)
    }

    @Test(arguments: ["tiny_zip.pth", "tiny_legacy.pth"])
    func conversionsAreReported(_ name: String) throws {
        let dict = try PyTorchFile.load(path: Paths.fixture("torch/" + name).path)
        #expect(dict.notes == [
            "bfloat16 widened to f32 (exact): 1 tensor, first 'bf16'",
            "float64 rounded to f32: 1 tensor, first 'double'",
            "int16 widened to i32 (exact): 1 tensor, first 'short'",
        ])
    }

    /// Nested dicts flatten to dotted keys, integer keys and list indices included; non-tensors drop out.
    @Test(arguments: ["checkpoint_zip.pth", "checkpoint_legacy.pth"])
    func checkpointsFlattenToDottedKeys(_ name: String) throws {
        let dict = try PyTorchFile.load(path: Paths.fixture("torch/" + name).path)
        try expectMatches(dict, try TorchReference.load("checkpoint_expected.tsv"), file: name)
        let model = dict.strippingPrefix("model.")
        #expect(model.keys == ["fc.weight", "fc.bias"])
        #expect(model["fc.weight"] == dict["tied"])
    }

    /// A TorchScript module: its parameters and buffers under their module paths; the code is not read.
    @Test func torchScriptModuleState() throws {
        let dict = try PyTorchFile.load(path: Paths.fixture("torch/tiny_script.pt").path)
        let references = try TorchReference.load("tiny_script_expected.tsv")
        #expect(Set(dict.keys) == Set(references.map(\.key)))
        let ordered = StateDict(entries: references.compactMap { ref in dict[ref.key].map { (ref.key, $0) } })
        try expectMatches(ordered, references, file: "tiny_script.pt")
    }
}
