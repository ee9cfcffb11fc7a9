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

    /// What each file's error must say: the part a user needs to find the damage.
    static let expected: [String: String] = [
        "bitflip_length.onnx": "runs past the end of its message",
        "bitflip_wire_type.onnx": "unsupported protobuf wire type 3",
        "empty.onnx": "the model has no graph",
        "external_escape.onnx": "is outside the model's folder",
        "huge_dims.onnx": "whose element count overflows",
        "huge_length.onnx": "length 4611686018427387904 at byte 17 runs past the end",
        "negative_dims.onnx": "has negative dimension -3",
        "opset_too_old.onnx": "opset 1 is not supported",
        "raw_data_short.onnx": "has 8 bytes of raw data, its shape [1000] of float needs 4000",
        "truncated_header.onnx": "runs past the end of its message",
        "truncated_in_graph.onnx": "runs past the end of its message",
        "truncated_last_byte.onnx": "runs past the end of its message",
        "unknown_op.onnx": "op Cnov is not supported",
        "bad_header.npy": "npy header: expected ')'",
        "big_endian.npy": "npy dtype '>f4' is not supported",
        "external_escape.pb": "is an absolute path",
        "fortran_order.npy": "is in Fortran order",
        "header_past_end.npy": "npy header length 65535 at byte 8 runs past the end of the file",
        "huge_dims.pb": "whose element count overflows",
        "huge_length.pb": "runs past the end of its message",
        "huge_shape.npy": "has too many elements",
        "negative_dims.pb": "has negative dimension -1",
        "not_npy.npy": "not an npy file",
        "raw_data_short.pb": "has 64 bytes of raw data",
        "short_data.npy": "has 64 bytes, shape [1, 3, 224, 224] of '<f4' needs 602112",
        "string.pb": "holds strings, which are not supported",
        "truncated.pb": "runs past the end of its message",
        "version_9.npy": "npy version 9.0 is not supported",
        "wrong_dtype.npy": "npy dtype '<c8' is not supported",
    ]

    @Test func everyFixtureHasAnExpectation() {
        let names = (Self.files("onnx") + Self.files("tensors")).map { ($0 as NSString).lastPathComponent }
        #expect(Set(names) == Set(Self.expected.keys))
    }

    static func check(_ path: String, _ error: FormatError) {
        let name = (path as NSString).lastPathComponent
        let phrase = Self.expected[name] ?? "(no expectation for \(name))"
        #expect(error.message.contains(phrase), "\(name): \(error.message)")
    }

    @Test(arguments: files("onnx"))
    func corruptModel(_ path: String) throws {
        let error = try #require(throws: FormatError.self) { try ONNXImporter.load(path: path) }
        Self.check(path, error)
    }

    @Test(arguments: files("tensors"))
    func corruptTensor(_ path: String) throws {
        let error = try #require(throws: FormatError.self) {
            if path.hasSuffix(".npy") { _ = try NPY.read(path: path) } else { _ = try ONNXTensorFile.read(path: path) }
        }
        Self.check(path, error)
    }
}
