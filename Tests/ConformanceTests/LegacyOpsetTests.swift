import Foundation
import OctetConformance
import OctetCPU
import OctetTestSupport
import Testing

/// Old-opset attribute forms (Clip-6, Pad-2, Slice-1, Upsample-7, Resize-10, Softmax-1, ...) from
/// Scripts/make-legacy-opset-fixtures.py, with onnxruntime's outputs: the importer's rewrites into
/// newest-opset form must compute the same thing on the CPU reference.
@Suite struct LegacyOpsetTests {
    static var cases: [String] {
        let dir = Paths.fixture("legacy-opset")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    @Test func fixturesExist() { #expect(Self.cases.count >= 20) }

    @Test(arguments: cases)
    func legacyForm(_ name: String) throws {
        let test = try NodeTestCase.load(folder: Paths.fixture("legacy-opset/" + name))
        switch test.run(on: CPUBackend(threads: 1)) {
        case .passed: break
        // Every fixture holds onnxruntime's outputs for an op the backend runs in its newest form: a
        // rewrite that leaves an op the backend refuses is a failure, not a skip.
        case .unsupported(let reason): Issue.record("\(name): not supported: \(reason)")
        case .failed(let why): Issue.record("\(name): \(why)")
        }
    }
}
