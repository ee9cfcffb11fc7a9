import Foundation
import OctetIR

// TensorProto -> Tensor. Sizes come from `dims`; every data field is checked against the element count
// before anything is allocated from it. Double tensors become f32 (the IR computes in f32), and unsigned
// 32/64-bit tensors become i64 when every value fits.

extension TensorProto {
    /// How the tensor is named in error messages.
    var label: String { name.isEmpty ? "tensor at byte \(byteOffset)" : "tensor \"\(name)\"" }

    func decode(external: ExternalData?) throws -> Tensor {
        var shape: [Int] = []
        for d in dims {
            guard d >= 0, let v = Int(exactly: d) else { throw FormatError("\(label) has negative dimension \(d) in \(dims)") }
            shape.append(v)
        }
        guard let count = shape.checkedElementCount else {
            throw FormatError("\(label) has shape \(shape) whose element count overflows")
        }
        var raw = rawData
        if isExternal {
            guard let external else { throw FormatError("\(label) stores its data in an external file, which is not supported here") }
            raw = try external.read(for: self, expectedBytes: try byteCount(count))
        }
        if stringCount > 0 || dataType == ONNXDataType.string {
            throw FormatError("\(label) holds strings, which are not supported")
        }
        let storage: Tensor.Storage
        if let raw {
            storage = try decodeRaw(raw, count: count)
        } else {
            storage = try decodeTyped(count: count)
        }
        return Tensor(shape: shape, storage: storage)
    }

    private func byteCount(_ count: Int) throws -> Int {
        let size: Int
        switch dataType {
        case ONNXDataType.float, ONNXDataType.int32, ONNXDataType.uint32: size = 4
        case ONNXDataType.double, ONNXDataType.int64, ONNXDataType.uint64: size = 8
        case ONNXDataType.float16: size = 2
        case ONNXDataType.int8, ONNXDataType.uint8, ONNXDataType.bool: size = 1
        default: throw unsupportedType()
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else { throw FormatError("\(label): \(count) elements overflow the byte count") }
        return bytes
    }

    private func unsupportedType() -> FormatError {
        FormatError("\(label) has element type \(ONNXDataType.name(dataType)), which is not supported")
    }

    private func decodeRaw(_ raw: ArraySlice<UInt8>, count: Int) throws -> Tensor.Storage {
        let expected = try byteCount(count)
        guard raw.count == expected else {
            throw FormatError("\(label) has \(raw.count) bytes of raw data, its shape \(dims) of \(ONNXDataType.name(dataType)) needs \(expected)")
        }
        switch dataType {
        case ONNXDataType.float: return .f32(loadLittleEndian(raw, count: count, as: Float.self))
        case ONNXDataType.float16: return .f16(loadLittleEndian(raw, count: count, as: Float16.self))
        case ONNXDataType.int8: return .i8(raw.map { Int8(bitPattern: $0) })
        case ONNXDataType.uint8: return .u8(Array(raw))
        case ONNXDataType.bool: return .bool(raw.map { $0 != 0 })
        case ONNXDataType.int32: return .i32(loadLittleEndian(raw, count: count, as: Int32.self))
        case ONNXDataType.int64: return .i64(loadLittleEndian(raw, count: count, as: Int64.self))
        case ONNXDataType.double: return .f32(loadLittleEndian(raw, count: count, as: Double.self).map { Float($0) })
        case ONNXDataType.uint32: return .i64(loadLittleEndian(raw, count: count, as: UInt32.self).map { Int64($0) })
        case ONNXDataType.uint64: return .i64(try narrowUInt64(loadLittleEndian(raw, count: count, as: UInt64.self)))
        default: throw unsupportedType()
        }
    }

    private func decodeTyped(count: Int) throws -> Tensor.Storage {
        func check(_ n: Int, _ field: String) throws {
            guard n == count else {
                throw FormatError("\(label) has \(n) values in \(field), its shape \(dims) needs \(count)")
            }
        }
        switch dataType {
        case ONNXDataType.float:
            try check(floatData.count, "float_data")
            return .f32(floatData)
        case ONNXDataType.double:
            try check(doubleData.count, "double_data")
            return .f32(doubleData.map { Float($0) })
        case ONNXDataType.int64:
            try check(int64Data.count, "int64_data")
            return .i64(int64Data)
        case ONNXDataType.int32:
            try check(int32Data.count, "int32_data")
            return .i32(int32Data)
        case ONNXDataType.float16:
            try check(int32Data.count, "int32_data")
            return .f16(try int32Data.map { Float16(bitPattern: try narrow($0, UInt16.self)) })
        case ONNXDataType.int8:
            try check(int32Data.count, "int32_data")
            return .i8(try int32Data.map { try narrow($0, Int8.self) })
        case ONNXDataType.uint8:
            try check(int32Data.count, "int32_data")
            return .u8(try int32Data.map { try narrow($0, UInt8.self) })
        case ONNXDataType.bool:
            try check(int32Data.count, "int32_data")
            return .bool(int32Data.map { $0 != 0 })
        case ONNXDataType.uint32, ONNXDataType.uint64:
            try check(uint64Data.count, "uint64_data")
            return .i64(try narrowUInt64(uint64Data))
        default:
            throw unsupportedType()
        }
    }

    private func narrow<T: FixedWidthInteger>(_ v: Int32, _ type: T.Type) throws -> T {
        // float16 values travel as their bit pattern, which may exceed Int16 but must fit 16 bits.
        guard let out = T(exactly: v) else { throw FormatError("\(label) holds \(v), out of range for \(ONNXDataType.name(dataType))") }
        return out
    }

    private func narrowUInt64(_ values: [UInt64]) throws -> [Int64] {
        try values.map { v in
            guard let out = Int64(exactly: v) else { throw FormatError("\(label) holds \(v), which does not fit int64") }
            return out
        }
    }
}
