import CCUDA

/// One device allocation, freed when the last reference goes.
final class DeviceAllocation: @unchecked Sendable {
    let device: Device
    let address: UInt64
    let bytes: Int

    init(_ device: Device, bytes: Int) throws(CUDAError) {
        try device.makeCurrent()
        var pointer: CUdeviceptr = 0
        let result = ccuda_mem_alloc(&pointer, max(bytes, 1))
        if result == CUresult(CCUDA_ERROR_OUT_OF_MEMORY) {
            let free = (try? device.memoryInfo().free) ?? 0
            throw .call(function: "cuMemAlloc_v2", code: result, name: "CUDA_ERROR_OUT_OF_MEMORY",
                        message: "\(bytes) bytes asked for, \(free) free on \(device.name)")
        }
        try Driver.check(result, "cuMemAlloc_v2")
        self.device = device
        address = pointer
        self.bytes = bytes
    }

    deinit {
        try? device.makeCurrent()
        _ = ccuda_mem_free(address)
    }

    func upload(_ bytes: [UInt8], at offset: Int = 0) throws(CUDAError) {
        guard !bytes.isEmpty else { return }
        precondition(offset + bytes.count <= self.bytes, "upload past the end of an allocation")
        try device.makeCurrent()
        let result = bytes.withUnsafeBytes { ccuda_memcpy_htod(address + UInt64(offset), $0.baseAddress, $0.count) }
        try Driver.check(result, "cuMemcpyHtoD_v2")
    }

    func download(_ count: Int, at offset: Int = 0) throws(CUDAError) -> [UInt8] {
        precondition(offset + count <= bytes, "download past the end of an allocation")
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        try device.makeCurrent()
        let result = out.withUnsafeMutableBytes { ccuda_memcpy_dtoh($0.baseAddress, address + UInt64(offset), count) }
        try Driver.check(result, "cuMemcpyDtoH_v2")
        return out
    }
}

/// The stream a model's work is queued on, and the events that time it.
final class Stream: @unchecked Sendable {
    let device: Device
    let handle: CUstream

    init(_ device: Device) throws(CUDAError) {
        try device.makeCurrent()
        var s: CUstream?
        // A blocking stream: the plain (legacy-stream) copies of inputs, constants and outputs order
        // themselves with its kernels, so an upload's DMA is done before a kernel reads it.
        try Driver.check(ccuda_stream_create(&s, 0), "cuStreamCreate")
        guard let s else { throw .noDevice("cuStreamCreate gave no stream") }
        self.device = device
        handle = s
    }

    deinit {
        try? device.makeCurrent()
        _ = ccuda_stream_destroy(handle)
    }

    func synchronize() throws(CUDAError) {
        try Driver.check(ccuda_stream_synchronize(handle), "cuStreamSynchronize")
    }
}

/// A pair of events around work on a stream: the device's own clock, without host overhead.
final class EventTimer: @unchecked Sendable {
    let device: Device
    private let start: CUevent, end: CUevent

    init(_ device: Device) throws(CUDAError) {
        try device.makeCurrent()
        var a: CUevent?, b: CUevent?
        try Driver.check(ccuda_event_create(&a, UInt32(CCUDA_EVENT_DEFAULT)), "cuEventCreate")
        try Driver.check(ccuda_event_create(&b, UInt32(CCUDA_EVENT_DEFAULT)), "cuEventCreate")
        guard let a, let b else { throw .noDevice("cuEventCreate gave no event") }
        self.device = device
        (start, end) = (a, b)
    }

    deinit {
        try? device.makeCurrent()
        _ = ccuda_event_destroy(start)
        _ = ccuda_event_destroy(end)
    }

    /// Milliseconds the stream spent on `work`.
    func time(on stream: Stream, _ work: () throws(CUDAError) -> Void) throws(CUDAError) -> Double {
        try Driver.check(ccuda_event_record(start, stream.handle), "cuEventRecord")
        try work()
        try Driver.check(ccuda_event_record(end, stream.handle), "cuEventRecord")
        try Driver.check(ccuda_event_synchronize(end), "cuEventSynchronize")
        var ms: Float = 0
        try Driver.check(ccuda_event_elapsed_time(&ms, start, end), "cuEventElapsedTime")
        return Double(ms)
    }
}
