import Foundation

// ONNX raw_data, NPY and PyTorch storages are little-endian, as is every host Swift targets here, so
// tensors are copied with one memcpy and no per-element swap.
#if _endian(big)
#error("Octet's file readers assume a little-endian host")
#endif

/// `count` elements of `T` from little-endian packed bytes (the caller checked the length).
func loadLittleEndian<T: BitwiseCopyable>(_ raw: ArraySlice<UInt8>, count: Int, as: T.Type) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        raw.withUnsafeBytes { src in
            if let to = buffer.baseAddress, let from = src.baseAddress {
                memcpy(to, from, count * MemoryLayout<T>.stride)
            }
        }
        initialized = count
    }
}

/// The little-endian bytes of `values`.
func packLittleEndian<T: BitwiseCopyable>(_ values: [T]) -> ArraySlice<UInt8> {
    let size = values.count * MemoryLayout<T>.stride
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        values.withUnsafeBytes { src in
            if let to = buffer.baseAddress, let from = src.baseAddress { memcpy(to, from, size) }
        }
        initialized = size
    }
    return ArraySlice(bytes)
}
