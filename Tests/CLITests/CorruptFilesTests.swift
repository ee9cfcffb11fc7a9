import Foundation
import OctetTestSupport
import Testing

/// The built binary on hostile files (Fixtures/corrupt, from Scripts/make-corrupt-fixtures.py): exit status 1
/// and `octet: error: <file>: ...` on stderr, never a crash.
@Suite struct CorruptFilesTests {
    static func files(_ folder: String) -> [String] {
        let dir = Paths.fixture("corrupt/" + folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { "Fixtures/corrupt/\(folder)/\($0)" }
    }

    @Test(arguments: files("onnx"))
    func inspectCorruptModel(_ file: String) throws {
        let result = try runOctet(["inspect", file], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status == 1, "\(file): status \(result.status), stderr \(result.stderr)")
        #expect(result.stderr.hasPrefix("octet: error: \(file):"), "\(file): \(result.stderr)")
    }

    @Test(arguments: files("tensors"))
    func runWithCorruptInput(_ file: String) throws {
        let result = try runOctet(["run", "Fixtures/mobilenet_v2.onnx", "--input", file], timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status == 1, "\(file): status \(result.status), stderr \(result.stderr)")
        #expect(result.stderr.hasPrefix("octet: error: \(file):"), "\(file): \(result.stderr)")
    }
}
