/// One argument of a kernel launch, in the C type the kernel declares.
public enum KernelArgument: Sendable, Equatable {
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    /// A device address (`const T*`); 0 is a null pointer.
    case pointer(UInt64)

    var bitPattern: UInt64 {
        switch self {
        case .int32(let v): UInt64(UInt32(bitPattern: v))
        case .int64(let v): UInt64(bitPattern: v)
        case .float(let v): UInt64(v.bitPattern)
        case .pointer(let v): v
        }
    }
}

/// The `void**` array cuLaunchKernel reads: one pointer per argument, each to a little-endian 8-byte slot
/// holding the value in its low bytes (the driver copies `sizeof(param)` bytes from each).
struct KernelArgumentBuffer: ~Copyable {
    private let slots: UnsafeMutablePointer<UInt64>
    let pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let count: Int

    init(_ arguments: [KernelArgument]) {
        count = arguments.count
        slots = .allocate(capacity: max(1, count))
        pointers = .allocate(capacity: max(1, count))
        for (i, a) in arguments.enumerated() {
            slots[i] = a.bitPattern.littleEndian
            pointers[i] = UnsafeMutableRawPointer(slots + i)
        }
    }

    deinit {
        slots.deallocate()
        pointers.deallocate()
    }
}
