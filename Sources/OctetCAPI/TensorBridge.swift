import COctetAPI
import Octet
import OctetIR

/// Conversions between the C API's dtype numbers and tensors in caller memory and the IR's tensors.
enum TensorBridge {
    static func dtype(_ d: DType?) -> octet_dtype {
        switch d {
        case .f32: OCTET_FLOAT32
        case .f16: OCTET_FLOAT16
        case .i8: OCTET_INT8
        case .u8: OCTET_UINT8
        case .i32: OCTET_INT32
        case .i64: OCTET_INT64
        case .bool: OCTET_BOOL
        case nil: OCTET_DTYPE_UNKNOWN
        }
    }

    static func dtype(_ d: octet_dtype) -> DType? {
        DType.allCases.first { dtype($0) == d }
    }

    static func shape(of t: octet_tensor) -> [Int64] {
        withUnsafeBytes(of: t.shape) { Array($0.bindMemory(to: Int64.self).prefix(Int(t.rank))) }
    }

    static func setShape(_ shape: [Int64], of t: inout octet_tensor) {
        withUnsafeMutableBytes(of: &t.shape) { raw in
            let slots = raw.bindMemory(to: Int64.self)
            for i in slots.indices { slots[i] = i < shape.count ? shape[i] : 0 }
        }
        t.rank = Int32(shape.count)
    }

    /// Describes a declared input or output.
    static func info(_ value: ValueInfo, name: UnsafePointer<CChar>) -> octet_value_info {
        var info = octet_value_info()
        info.name = name
        info.dtype = dtype(value.dtype)
        guard let dims = value.shape, dims.count <= Int(OCTET_MAX_RANK) else {
            info.rank = -1
            return info
        }
        info.rank = Int32(dims.count)
        withUnsafeMutableBytes(of: &info.shape) { raw in
            let slots = raw.bindMemory(to: Int64.self)
            for (i, d) in dims.enumerated() { slots[i] = Int64(d.value ?? -1) }
        }
        return info
    }

    /// Copies a caller's input into a tensor after checking it against the model's declaration.
    static func tensor(_ t: octet_tensor, for input: ValueInfo) throws -> Tensor {
        let label = "input \"\(input.name)\""
        guard t.rank >= 0 && t.rank <= OCTET_MAX_RANK else {
            throw APIError.invalid("\(label): rank must be 0 to \(OCTET_MAX_RANK), got \(t.rank)")
        }
        let dims = shape(of: t)
        guard dims.allSatisfy({ $0 >= 0 }) else { throw APIError.invalid("\(label): negative dimension in \(dims)") }
        guard let type = dtype(t.dtype) else {
            throw APIError.invalid("\(label): unknown dtype \(t.dtype.rawValue)")
        }
        if let declared = input.dtype, declared != type {
            throw APIError.invalid("\(label) is \(declared.rawValue), got \(type.rawValue)")
        }
        if let declared = input.shape {
            guard declared.count == dims.count else {
                throw APIError.invalid("\(label) has rank \(declared.count), got shape \(dims)")
            }
            for (axis, d) in declared.enumerated() {
                if let v = d.value, v != dims[axis] {
                    throw APIError.invalid("\(label) has \(v) at axis \(axis), got shape \(dims)")
                }
            }
        }
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow else { throw APIError.invalid("\(label): shape \(dims) is too large") }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: type.byteSize)
        guard !overflow, bytes == t.bytes else {
            throw APIError.invalid("\(label): shape \(dims) of \(type.rawValue) takes \(overflow ? "too many" : String(bytes)) "
                + "bytes, the buffer has \(t.bytes)")
        }
        guard count == 0 || t.data != nil else { throw APIError.invalid("\(label): data is NULL") }
        let shape = dims.map { Int($0) }
        let raw = UnsafeRawBufferPointer(start: t.data, count: bytes)
        // Copied bytewise: the caller's buffer need not be aligned for T.
        func values<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base, byteCount: bytes) }
                initialized = count
            }
        }
        switch type {
        case .f32: return Tensor(shape: shape, storage: .f32(values(Float.self)))
        case .f16: return Tensor(shape: shape, storage: .f16(values(Float16.self)))
        case .i8: return Tensor(shape: shape, storage: .i8(values(Int8.self)))
        case .u8: return Tensor(shape: shape, storage: .u8(values(UInt8.self)))
        case .i32: return Tensor(shape: shape, storage: .i32(values(Int32.self)))
        case .i64: return Tensor(shape: shape, storage: .i64(values(Int64.self)))
        case .bool: return Tensor(shape: shape, storage: .bool(raw.map { $0 != 0 }))
        }
    }

    /// Writes an output into the caller's buffer, or says how large it must be.
    static func write(_ tensor: Tensor, name: String, into t: inout octet_tensor) throws {
        guard tensor.rank <= Int(OCTET_MAX_RANK) else {
            throw APIError(status: OCTET_UNSUPPORTED, message: "output \"\(name)\" has rank \(tensor.rank); the C API "
                + "passes at most \(OCTET_MAX_RANK) axes")
        }
        t.dtype = dtype(tensor.dtype)
        setShape(tensor.shape.map { Int64($0) }, of: &t)
        let needed = tensor.count * tensor.dtype.byteSize
        guard t.bytes >= needed else {
            throw APIError.invalid("output \"\(name)\" needs \(needed) bytes, the buffer has \(t.bytes)")
        }
        guard needed == 0 || t.data != nil else { throw APIError.invalid("output \"\(name)\": data is NULL") }
        func copy<T>(_ values: [T]) {
            values.withUnsafeBytes { source in
                if let base = source.baseAddress, let data = t.data { data.copyMemory(from: base, byteCount: needed) }
            }
        }
        switch tensor.storage {
        case .f32(let v): copy(v)
        case .f16(let v): copy(v)
        case .i8(let v): copy(v)
        case .u8(let v): copy(v)
        case .i32(let v): copy(v)
        case .i64(let v): copy(v)
        case .bool(let v): copy(v.map { UInt8($0 ? 1 : 0) })
        }
        t.bytes = needed
    }
}
