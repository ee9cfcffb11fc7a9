import OctetIR

/// NumPy `.npy` files, version 1 to 3, little-endian, C order.
public enum NPY {
    private static let magic: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // "\x93NUMPY"

    /// Reads a `.npy` file; float64 arrays become f32, the only float width the IR computes in besides f16.
    public static func read(path: String) throws -> Tensor {
        try decode(try readFileBytes(path))
    }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(_ bytes: [UInt8]) throws -> Tensor {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw FormatError("not an npy file (no \\x93NUMPY magic at byte 0)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw FormatError("npy header length truncated at byte 8") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw FormatError("npy version \(major).\(bytes[7]) is not supported (1 to 3 are)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw FormatError("npy header length \(headerLength) at byte 8 runs past the end of the file (\(bytes.count) bytes)")
        }
        let dataStart = headerStart + headerLength
        guard let text = String(validating: bytes[headerStart..<dataStart], as: UTF8.self) else {
            throw FormatError("npy header at byte \(headerStart) is not valid text")
        }
        let header = try NPYHeader(parsing: text, offset: headerStart)
        guard !header.fortranOrder else {
            throw FormatError("npy array is in Fortran order, which is not supported (save it C-contiguous)")
        }
        guard let count = header.shape.checkedElementCount else {
            throw FormatError("npy shape \(header.shape) has too many elements")
        }
        guard let itemSize = itemSize(header.descr) else {
            throw FormatError("npy dtype '\(header.descr)' is not supported (expected <f4, <f2, <f8, |i1, |u1, <i4, <i8 or |b1)")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: itemSize)
        let available = bytes.count - dataStart
        guard !overflow, needed == available else {
            throw FormatError("npy data at byte \(dataStart) has \(available) bytes, shape \(header.shape) of '\(header.descr)' needs \(overflow ? "more than \(Int.max)" : String(needed))")
        }
        let raw = bytes[dataStart...]
        let storage: Tensor.Storage
        switch header.descr.dropFirst() {
        case "f4": storage = .f32(loadLittleEndian(raw, count: count, as: Float.self))
        case "f2": storage = .f16(loadLittleEndian(raw, count: count, as: Float16.self))
        case "f8": storage = .f32(loadLittleEndian(raw, count: count, as: Double.self).map { Float($0) })
        case "i1": storage = .i8(raw.map { Int8(bitPattern: $0) })
        case "u1": storage = .u8(Array(raw))
        case "i4": storage = .i32(loadLittleEndian(raw, count: count, as: Int32.self))
        case "i8": storage = .i64(loadLittleEndian(raw, count: count, as: Int64.self))
        default: storage = .bool(raw.map { $0 != 0 })
        }
        return Tensor(shape: header.shape, storage: storage)
    }

    /// Bytes per element for the descriptors Octet reads; nil for anything else (big-endian included).
    private static func itemSize(_ descr: String) -> Int? {
        switch descr {
        case "<f4", "<i4": 4
        case "<f2": 2
        case "<f8", "<i8": 8
        case "|i1", "|u1", "|b1", "<i1", "<u1", "<b1": 1
        default: nil
        }
    }

    /// The bytes of a version 1 `.npy` file (version 2 when the header is too long for 16 bits).
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let descr: String
        let data: ArraySlice<UInt8>
        switch tensor.storage {
        case .f32(let v): descr = "<f4"; data = packLittleEndian(v)
        case .f16(let v): descr = "<f2"; data = packLittleEndian(v)
        case .i8(let v): descr = "|i1"; data = ArraySlice(v.map { UInt8(bitPattern: $0) })
        case .u8(let v): descr = "|u1"; data = ArraySlice(v)
        case .i32(let v): descr = "<i4"; data = packLittleEndian(v)
        case .i64(let v): descr = "<i8"; data = packLittleEndian(v)
        case .bool(let v): descr = "|b1"; data = ArraySlice(v.map { $0 ? 1 : 0 })
        }
        var text = Array(NPYHeader(descr: descr, fortranOrder: false, shape: tensor.shape).text.utf8)
        let version: UInt8 = text.count + 1 + 10 > 65535 ? 2 : 1
        let prefix = version == 1 ? 10 : 12
        // numpy pads the header with spaces so the data starts on a 64-byte boundary, then a newline.
        while (prefix + text.count + 1) % 64 != 0 { text.append(0x20) }
        text.append(0x0a)
        var out = magic + [version, 0]
        let n = text.count
        out += version == 1 ? [UInt8(n & 0xff), UInt8(n >> 8)]
                            : [UInt8(n & 0xff), UInt8((n >> 8) & 0xff), UInt8((n >> 16) & 0xff), UInt8(n >> 24)]
        out += text
        out += data
        return out
    }

    /// Writes a tensor as a `.npy` file, atomically (a temporary file, then a rename).
    public static func write(_ tensor: Tensor, to path: String) throws {
        try writeFileAtomically(encode(tensor), to: path)
    }
}
