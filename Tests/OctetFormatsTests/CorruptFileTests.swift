import Foundation
import OctetFormats
import OctetTestSupport
import Testing

/// Hostile files from Scripts/make-corrupt-fixtures.py: each must be refused with an error, never a crash.
@Suite struct CorruptFileTests {
    static func files(_ folder: String) -> [String] {
        let dir = Paths.fixture("corrupt/" + folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0).path }
    }

    @Test func fixturesExist() {
        #expect(Self.files("onnx").count >= 10)
        #expect(Self.files("tensors").count >= 10)
    }

    @Test(arguments: files("onnx"))
    func corruptModel(_ path: String) throws {
        let error = try #require(throws: FormatError.self) { try ONNXImporter.load(path: path) }
        #expect(!error.message.isEmpty)
        print("\((path as NSString).lastPathComponent): \(error.message)")
    }

    @Test(arguments: files("tensors"))
    func corruptTensor(_ path: String) throws {
        let error = try #require(throws: FormatError.self) {
            if path.hasSuffix(".npy") { _ = try NPY.read(path: path) } else { _ = try ONNXTensorFile.read(path: path) }
        }
        #expect(!error.message.isEmpty)
        print("\((path as NSString).lastPathComponent): \(error.message)")
    }
}
