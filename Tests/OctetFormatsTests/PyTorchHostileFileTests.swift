import Foundation
import OctetFormats
import OctetTestSupport
import Testing

/// Hostile files (Scripts/make-corrupt-pytorch.py): each is refused with an error that names the problem.
@Suite struct PyTorchHostileFileTests {
    static let cases: [(file: String, message: String)] = [
        ("truncated_zip.pth", "end-of-central-directory"),
        ("truncated_legacy.pth", "run past the end of the file"),
        ("bad_crc.pth", "CRC-32 mismatch"),
        ("bad_central_directory_offset.pth", "central directory (offset 2147418112"),
        ("bad_local_header_offset.pth", "no local header"),
        ("bad_deflate_block.pth", "block type 3 is reserved"),
        ("no_data_pkl.pth", "has no archive/data.pkl"),
        ("empty_data_pkl.pth", "pickle ends early"),
        ("os_system.pth", "refusing pickle global os.system"),
        ("os_system_legacy.pth", "refusing pickle global os.system"),
        ("builtins_eval_stack_global.pth", "refusing pickle global builtins.eval"),
        ("whole_module.pth", "refusing pickle global torch.nn.modules.conv.Conv2d"),
        ("script_class_outside_torchscript.pth", "refusing pickle global __torch__.Evil"),
        ("script_class_called.pt", "calls __torch__.Evil, which is data here, not a constructor"),
        ("unknown_opcode.pth", "unsupported pickle opcode 0x69 ('i')"),
        ("undefined_memo.pth", "memo 5, which was never stored"),
        ("deep_nesting.pth", "nest deeper than 500 levels"),
        ("self_cycle.pth", "nests deeper than 500 levels"),
        ("storage_shorter_than_tensor.pth", "storage shorter than its tensor"),
        ("storage_offset_past_end.pth", "storage shorter than its tensor"),
        ("huge_numel.pth", "declares 4611686018427387904 float32 elements"),
        ("huge_size.pth", "too many elements"),
        ("expanded_huge.pth", "would take 17179869184 bytes"),
        ("overlapping_views.pth", "more than the file's storages justify"),
        ("long_key.pth", "longer than 1024 bytes"),
        ("missing_storage_entry.pth", "no entry archive/data/7"),
        ("legacy_storage_count_mismatch.pth", "holds 5 elements, the pickle declared 4"),
        ("not_a_torch_file.pth", "not a PyTorch file"),
    ]

    @Test(arguments: cases)
    func refusedWithANamedProblem(_ c: (file: String, message: String)) throws {
        let path = Paths.fixture("corrupt/pytorch/" + c.file).path
        let error = try #require(throws: FormatError.self) { try PyTorchFile.load(path: path) }
        #expect(error.message.contains(c.message), "\(c.file): \(error.message)")
    }

    /// Inputs the fuzzer found (Scripts/fuzz.sh pytorch), kept as regressions: each loads without tensors
    /// or fails with a FormatError. (The fuzzer's leak check replays them too: a list appended to itself
    /// once leaked its reference cycle on every load.)
    @Test func fuzzRegressionsLoadOrFailCleanly() throws {
        let folder = Paths.fixture("fuzz/pytorch")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!files.isEmpty)
        for file in files {
            do {
                let state = try PyTorchFile.load(path: folder.appendingPathComponent(file).path)
                #expect(state.entries.isEmpty, "\(file)")
            } catch is FormatError {
            }
        }
    }

    @Test func theRefusedGlobalIsNamedWithItsByteOffset() throws {
        let path = Paths.fixture("corrupt/pytorch/os_system.pth").path
        let error = try #require(throws: FormatError.self) { try PyTorchFile.load(path: path) }
        // PROTO takes bytes 0-1, so GLOBAL os.system starts at byte 2 of data.pkl.
        #expect(error.message.hasPrefix("archive/data.pkl byte 2: refusing pickle global os.system"), "\(error.message)")
    }

    /// Every prefix of a valid file is refused (or, for the legacy layout, read only if complete): no crash.
    @Test(arguments: ["tiny_zip.pth", "tiny_legacy.pth", "tiny_deflated.pth", "tiny_zip64.pth"])
    func everyTruncationIsAnError(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Paths.fixture("torch/" + name)))
        var refused = 0
        for length in stride(from: 0, to: bytes.count, by: 3) {
            if (try? PyTorchFile.decode(Array(bytes[..<length]))) == nil { refused += 1 }
        }
        #expect(refused == (bytes.count + 2) / 3, "\(name): some truncated copies were read as valid")
    }

    /// Flipping bytes anywhere gives a value or a FormatError, never a trap; zips catch it by CRC.
    @Test(arguments: ["tiny_legacy.pth", "tiny_zip.pth", "tiny_deflated.pth", "checkpoint_legacy.pth"])
    func flippedBytesNeverCrash(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Paths.fixture("torch/" + name)))
        var errors = 0
        for i in 0..<bytes.count {
            var copy = bytes
            copy[i] ^= 0xff
            do { _ = try PyTorchFile.decode(copy) } catch is FormatError { errors += 1 }
        }
        #expect(errors > bytes.count / 4, "\(name): most corruptions should be detected")
    }
}
