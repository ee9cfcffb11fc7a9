import Foundation
import OctetFormats
import OctetIR
import Testing

/// Pickle opcodes written by hand, for layouts torch 1.13 no longer writes.
struct PickleBytes {
    var bytes: [UInt8] = [0x80, 0x02]

    mutating func op(_ raw: [UInt8]) { bytes += raw }
    mutating func global(_ module: String, _ name: String) { op([0x63] + Array("\(module)\n\(name)\n".utf8)) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        op([0x58] + withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init) + utf8)
    }
    mutating func int(_ v: Int32) { op([0x4a] + withUnsafeBytes(of: v.littleEndian, Array.init)) }
    mutating func mark() { op([0x28]) }
    mutating func tuple() { op([0x74]) }
    mutating func stop() { op([0x2e]) }

    /// `_rebuild_tensor_v2` (or v3 with a dtype) of a storage persistent id, size and stride.
    mutating func tensor(storageClass: String, key: String, numel: Int32, view: (String, Int32, Int32)? = nil,
                         size: [Int32], stride: [Int32], dtype: String? = nil) {
        global("torch._utils", dtype == nil ? "_rebuild_tensor_v2" : "_rebuild_tensor_v3")
        mark()
        mark(); string("storage"); global("torch", storageClass); string(key); string("cpu"); int(numel)
        if let view { mark(); string(view.0); int(view.1); int(view.2); tuple() } else { op([0x4e]) }
        tuple(); op([0x51]) // BINPERSID
        int(0)
        mark(); size.forEach { int($0) }; tuple()
        mark(); stride.forEach { int($0) }; tuple()
        op([0x89]) // requires_grad False
        global("collections", "OrderedDict"); op([0x29, 0x52])
        if let dtype { global("torch", dtype) }
        tuple(); op([0x52])
    }

    /// The legacy file around `object`: magic, protocol, sys_info, the object, the key list, the storages.
    static func legacyFile(object: PickleBytes, storages: [(key: String, count: Int64, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]
        out += [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e] // protocol 1001
        out += [0x80, 0x02, 0x7d, 0x2e] // sys_info {}
        out += object.bytes
        var keys = PickleBytes()
        keys.op([0x5d]); keys.mark(); storages.forEach { keys.string($0.key) }; keys.op([0x65]); keys.stop()
        out += keys.bytes
        for s in storages { out += withUnsafeBytes(of: s.count.littleEndian, Array.init) + s.bytes }
        return out
    }
}

private func floats(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

@Suite struct PyTorchHandWrittenTests {
    /// Legacy files from torch before 1.0 name views of a root storage: `(view_key, offset, size)`.
    @Test func legacyStorageViews() throws {
        var object = PickleBytes()
        object.op([0x7d]); object.mark()
        object.string("a"); object.tensor(storageClass: "FloatStorage", key: "root", numel: 6, view: ("v1", 2, 3), size: [3], stride: [1])
        object.string("b"); object.tensor(storageClass: "FloatStorage", key: "root", numel: 6, view: ("v2", 4, 2), size: [2, 1], stride: [1, 1])
        object.op([0x75]); object.stop()
        let file = PickleBytes.legacyFile(object: object, storages: [("root", 6, floats([0, 1, 2, 3, 4, 5]))])
        let dict = try PyTorchFile.decode(file)
        #expect(dict.keys == ["a", "b"])
        #expect(dict["a"] == Tensor(shape: [3], floats: [2, 3, 4]))
        #expect(dict["b"] == Tensor(shape: [2, 1], floats: [4, 5]))
    }

    @Test func legacyViewOutsideItsRootIsRefused() throws {
        var object = PickleBytes()
        object.tensor(storageClass: "FloatStorage", key: "root", numel: 6, view: ("v1", 5, 3), size: [3], stride: [1])
        object.stop()
        let file = PickleBytes.legacyFile(object: object, storages: [("root", 6, floats([0, 1, 2, 3, 4, 5]))])
        let error = try #require(throws: FormatError.self) { try PyTorchFile.decode(file) }
        #expect(error.message.contains("does not lie within its 6 elements"), "\(error.message)")
    }

    /// `_rebuild_tensor_v3` reads an untyped (byte) storage as the dtype it names.
    @Test func untypedStorageWithADType() throws {
        var object = PickleBytes()
        object.tensor(storageClass: "UntypedStorage", key: "0", numel: 8, size: [2, 2], stride: [1, 2], dtype: "float16")
        object.stop()
        let halves: [Float16] = [1, -2, 0.5, 4]
        let raw = halves.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let dict = try PyTorchFile.decode(PickleBytes.legacyFile(object: object, storages: [("0", 8, raw)]))
        // A top-level tensor is named "tensor"; strides (1, 2) make it the transpose of the stored order.
        #expect(dict.keys == ["tensor"])
        #expect(dict["tensor"] == Tensor(shape: [2, 2], storage: .f16([1, 0.5, -2, 4])))
    }
}
