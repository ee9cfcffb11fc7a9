import Foundation
import OctetFormats
import OctetIR

/// ONNX's node test folder run on a backend, with out-of-scope tests told apart before they run.
public enum NodeTestSuite {
    /// The element types the IR holds, by their ONNX names; tests declaring any other are out of scope.
    public static let irElementTypes: Set<String> = ["float", "float16", "int8", "uint8", "int32", "int64", "bool"]

    /// The `test_*` folders under `directory`, sorted.
    public static func testFolders(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("test_") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// Why the test in `folder` is outside what Octet models (an op the IR lacks, an element type it
    /// lacks such as double, float8, int4 or string), or nil when it is in scope.
    public static func exclusion(folder: URL) throws -> String? {
        let outline = try ONNXModelOutline.read(path: folder.appendingPathComponent("model.onnx").path)
        let supported = ONNXImporter.supportedOpTypes
        if let op = outline.opTypes.first(where: { !supported.contains($0) }) { return "op \(op) is not in the IR" }
        if let type = outline.elementTypes.first(where: { !irElementTypes.contains($0) }) {
            return "element type \(type) is not in the IR"
        }
        return nil
    }

    /// Runs one test folder: unsupported when out of scope or refused by the backend, otherwise the outcome.
    public static func run(folder: URL, on backend: any Backend) -> NodeTestOutcome {
        do {
            if let reason = try exclusion(folder: folder) { return .unsupported(reason) }
            return try NodeTestCase.load(folder: folder).run(on: backend)
        } catch {
            return .failed("load: \(error)")
        }
    }
}
