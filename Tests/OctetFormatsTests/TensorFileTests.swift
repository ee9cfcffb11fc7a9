import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

@Suite struct TensorFileTests {
    static let samples: [Tensor] = [
        Tensor(shape: [2, 3], floats: [0, -1.5, 2.25, .infinity, -0.0, 3e-38]),
        Tensor(shape: [3], storage: .f16([1, -2, 0.5])),
        Tensor(shape: [2, 2], int8s: [-128, 127, 0, -1]),
        Tensor(shape: [4], uint8s: [0, 255, 7, 128]),
        Tensor(shape: [2], int32s: [Int32.min, Int32.max]),
        Tensor(shape: [1, 2], int64s: [Int64.min, 1 << 40]),
        Tensor(shape: [3], bools: [true, false, true]),
        Tensor(shape: [], floats: [42]),
        Tensor(shape: [0, 5], floats: []),
    ]

    @Test(arguments: samples)
    func npyRoundTrip(_ tensor: Tensor) throws {
        let bytes = NPY.encode(tensor)
        #expect(try NPY.decode(bytes) == tensor)
        let headerEnd = 10 + Int(bytes[8]) + Int(bytes[9]) << 8
        #expect(headerEnd % 64 == 0)
    }

    @Test(arguments: samples)
    func tensorProtoRoundTrip(_ tensor: Tensor) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-pb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.pb").path
        try ONNXTensorFile.write(tensor, name: "x", to: path)
        let (name, back) = try ONNXTensorFile.read(path: path)
        #expect(name == "x")
        #expect(back == tensor)
    }

    /// Version 2 and 3 headers have a 4-byte length; the text is the same dict.
    @Test(arguments: [UInt8(2), 3])
    func npyLongHeaderVersions(_ version: UInt8) throws {
        var header = Array("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }".utf8)
        while (12 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0a)
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        bytes += [UInt8(header.count), 0, 0, 0] + header
        bytes += [5, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(try NPY.decode(bytes) == Tensor(shape: [2], int64s: [5, -1]))
    }

    @Test func npyDoubleBecomesFloat() throws {
        var bytes = NPY.encode(Tensor(shape: [2], int64s: [0, 0]))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("'<i8'"))
        // Same size, other descriptor: rewrite '<i8' to '<f8' and the payload to 1.5 and -2.
        if let r = bytes.firstRange(of: Array("<i8".utf8)) { bytes.replaceSubrange(r, with: Array("<f8".utf8)) }
        bytes.removeLast(16)
        for v in [1.5, -2.0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        #expect(try NPY.decode(bytes) == Tensor(shape: [2], floats: [1.5, -2]))
    }

    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "Fortran"),
        ("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "dtype"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", "shape"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "needs 8"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", "expected"),
        ("{'descr': '<f4', 'shape': (1,), }", "lacks"),
    ])
    func npyRejects(_ header: String, _ expected: String) throws {
        var text = Array(header.utf8) + [0x0a]
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count), 0]
        bytes += text
        bytes += [0, 0, 0x80, 0x3f]
        text = []
        let error = try #require(throws: FormatError.self) { try NPY.decode(bytes) }
        #expect(error.message.contains(expected), "\(error.message)")
    }

    /// TensorProto with typed fields instead of raw_data (older exporters write these).
    @Test func typedFields() throws {
        func proto(_ dims: [Int64], _ type: Int64, _ body: (inout WireBytes) -> Void) -> [UInt8] {
            var w = WireBytes()
            w.lengthDelimited(1, WireBytes.packedVarints(dims))
            w.int(2, type)
            body(&w)
            return w.bytes
        }
        let floats = proto([2], 1) { w in w.fixed32(4, Float(1.5).bitPattern); w.fixed32(4, Float(-3).bitPattern) }
        #expect(try decode(floats) == Tensor(shape: [2], floats: [1.5, -3]))
        let int64s = proto([1, 3], 7) { w in w.lengthDelimited(7, WireBytes.packedVarints([-1, 0, 1 << 50])) }
        #expect(try decode(int64s) == Tensor(shape: [1, 3], int64s: [-1, 0, 1 << 50]))
        let int8s = proto([2], 3) { w in w.lengthDelimited(5, WireBytes.packedVarints([-7, 100])) }
        #expect(try decode(int8s) == Tensor(shape: [2], int8s: [-7, 100]))
        let halves = proto([1], 10) { w in w.int(5, Int64(Float16(2.5).bitPattern)) }
        #expect(try decode(halves) == Tensor(shape: [1], storage: .f16([2.5])))
        let doubles = proto([2], 11) { w in w.fixed64(10, (0.25).bitPattern); w.fixed64(10, (-8.0).bitPattern) }
        #expect(try decode(doubles) == Tensor(shape: [2], floats: [0.25, -8]))
        let uint64s = proto([1], 13) { w in w.int(11, 12345) }
        #expect(try decode(uint64s) == Tensor(shape: [1], int64s: [12345]))
    }

    @Test(arguments: [
        ("count", [Int64(3)], Int64(1), [UInt8](repeating: 0, count: 8), "needs 12"),
        ("negative", [-2], 1, [], "negative dimension"),
        ("huge", [1 << 40, 1 << 40], 1, [], "overflow"),
        ("string", [1], 8, [], "not supported"),
        ("bfloat16", [1], 16, [0, 0], "bfloat16"),
    ])
    func tensorProtoRejects(_ label: String, _ dims: [Int64], _ type: Int64, _ raw: [UInt8], _ expected: String) throws {
        var w = WireBytes()
        w.lengthDelimited(1, WireBytes.packedVarints(dims))
        w.int(2, type)
        w.lengthDelimited(9, raw)
        let error = try #require(throws: FormatError.self) { try decode(w.bytes) }
        #expect(error.message.contains(expected), "\(label): \(error.message)")
    }

    @Test func lengthPastEndNamesOffset() throws {
        var w = WireBytes()
        w.string(8, "name")
        w.varint(9 << 3 | 2)
        w.varint(1 << 40)
        let error = try #require(throws: FormatError.self) { try decode(w.bytes) }
        #expect(error.message.contains("at byte 7"), "\(error.message)")
    }

    /// Every tensor file of the conformance suite either decodes and survives a write/read round trip,
    /// or is refused for an element type the IR lacks.
    @Test func conformanceTensorFiles() throws {
        let root = Paths.cache("onnx-tests/node")
        guard Paths.exists(root) else {
            try Skip.missingData("\(root.path) is missing (run Scripts/fetch-onnx-tests.sh)")
            return
        }
        var decoded = 0, refused = 0
        for test in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let dir = root.appendingPathComponent(test).appendingPathComponent("test_data_set_0")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for file in files.sorted() where file.hasSuffix(".pb") {
                do {
                    let (name, tensor) = try ONNXTensorFile.read(path: dir.appendingPathComponent(file).path)
                    decoded += 1
                    let again = try decodeBytes(ONNXTensorFile.encode(tensor, name: name))
                    #expect(again == tensor || tensor.floatValues().contains { $0.isNaN }, "\(test)/\(file)")
                } catch let error as FormatError {
                    refused += 1
                    // Sequence and optional tests store SequenceProto/OptionalProto, which read as bad TensorProtos.
                    let notTensor = test.contains("seq") || test.contains("opt")
                    #expect(notTensor || error.message.contains("not supported") || error.message.contains("does not fit"),
                            "\(test)/\(file): \(error.message)")
                }
            }
        }
        print("conformance tensor files: \(decoded) decoded, \(refused) refused")
        #expect(decoded > 1000)
    }

    private func decode(_ bytes: [UInt8]) throws -> Tensor { try decodeBytes(bytes) }
}

/// Decodes TensorProto bytes through the public file reader.
func decodeBytes(_ bytes: [UInt8]) throws -> Tensor {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("octet-\(UUID().uuidString).pb")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try ONNXTensorFile.read(path: url.path).tensor
}
