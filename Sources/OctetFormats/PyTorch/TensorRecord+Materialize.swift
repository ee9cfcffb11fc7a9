import OctetIR

extension TensorRecord {
    /// Reads the tensor out of its storage: contiguous windows are converted in one pass, strided ones
    /// (transposed, expanded, sliced) are gathered first. Every index is checked against the storage.
    func materialize() throws -> Tensor {
        let described = "size \(size), stride \(stride), offset \(offset)"
        guard size.count == stride.count else { throw FormatError("tensor has \(size.count) sizes but \(stride.count) strides") }
        guard size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }), offset >= 0 else {
            throw FormatError("tensor has a negative size, stride or offset (\(described))")
        }
        guard let count = size.checkedElementCount else { throw FormatError("tensor size \(size) has too many elements") }
        let store = storage.storage
        guard let bytes = store.bytes else { throw FormatError("storage '\(store.key)' has no data in the file") }

        // The slice in bytes, then in elements of this tensor's type (they differ only for untyped storages).
        let sliceStart = storage.offset * store.type.elementSize
        let sliceBytes = storage.count * store.type.elementSize
        let elementSize = type.elementSize
        let available = sliceBytes / elementSize
        guard count > 0 else { return Tensor(shape: size, storage: Self.decode(UnsafeRawBufferPointer(start: nil, count: 0), type, 0)) }

        var last = offset
        for (n, s) in zip(size, stride) {
            let (step, o1) = (n - 1).multipliedReportingOverflow(by: s)
            let (sum, o2) = last.addingReportingOverflow(step)
            guard !o1, !o2 else { throw FormatError("tensor (\(described)) indexes past any storage") }
            last = sum
        }
        guard last < available else {
            throw FormatError("storage '\(store.key)' holds \(available) \(type.rawValue) elements, the tensor (\(described)) reaches element \(last): storage shorter than its tensor")
        }

        let base = sliceStart
        let decoded: Tensor.Storage = bytes.withUnsafeBytes { file in
            if size.rowMajorStrides.enumerated().allSatisfy({ size[$0.offset] <= 1 || stride[$0.offset] == $0.element }) {
                let start = base + offset * elementSize
                return Self.decode(UnsafeRawBufferPointer(rebasing: file[start..<(start + count * elementSize)]), type, count)
            }
            var packed = [UInt8](repeating: 0, count: count * elementSize)
            packed.withUnsafeMutableBytes { out in
                gather(from: UnsafeRawBufferPointer(rebasing: file[base...]), into: out, elementSize: elementSize, count: count)
            }
            return packed.withUnsafeBytes { Self.decode($0, type, count) }
        }
        return Tensor(shape: size, storage: decoded)
    }

    /// Copies the strided elements into row-major order: the last dimension as a strided run, the outer
    /// ones walked like an odometer. `count` > 0 and rank > 0 here (a scalar is always contiguous).
    private func gather(from source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer,
                        elementSize: Int, count: Int) {
        switch elementSize {
        case 1: gather(UInt8.self, from: source, into: out, count: count)
        case 2: gather(UInt16.self, from: source, into: out, count: count)
        case 4: gather(UInt32.self, from: source, into: out, count: count)
        default: gather(UInt64.self, from: source, into: out, count: count)
        }
    }

    private func gather<T>(_: T.Type, from source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, count: Int) {
        let rank = size.count
        let inner = size[rank - 1], innerStride = stride[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var element = offset
        var written = 0
        while written < count {
            for j in 0..<inner {
                let value = source.loadUnaligned(fromByteOffset: (element + j * innerStride) * MemoryLayout<T>.size, as: T.self)
                out.storeBytes(of: value, toByteOffset: (written + j) * MemoryLayout<T>.size, as: T.self)
            }
            written += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                element += stride[d]
                if index[d] < size[d] { break }
                element -= stride[d] * size[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Converts packed little-endian elements to the IR storage type (see `TorchElementType.conversionNote`).
    static func decode(_ raw: UnsafeRawBufferPointer, _ type: TorchElementType, _ count: Int) -> Tensor.Storage {
        func copy<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: count * MemoryLayout<T>.size) }
                initialized = count
            }
        }
        func convert<S, T>(_: S.Type, _ transform: (S) -> T) -> [T] {
            (0..<count).map { transform(raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<S>.size, as: S.self)) }
        }
        switch type {
        case .float32: return .f32(copy(Float.self))
        case .float16: return .f16(copy(Float16.self))
        case .bfloat16: return .f32(convert(UInt16.self) { Float(bitPattern: UInt32($0) << 16) })
        case .float64: return .f32(convert(Double.self) { Float($0) })
        case .int64: return .i64(copy(Int64.self))
        case .int32: return .i32(copy(Int32.self))
        case .int16: return .i32(convert(Int16.self) { Int32($0) })
        case .int8: return .i8(copy(Int8.self))
        case .uint8: return .u8(copy(UInt8.self))
        // Bytes other than 0 and 1 are not valid Bools in memory, so each is compared, never reinterpreted.
        case .bool: return .bool(convert(UInt8.self) { $0 != 0 })
        }
    }
}
