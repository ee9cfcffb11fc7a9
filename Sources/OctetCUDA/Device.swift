import CCUDA
import Foundation

/// One GPU and its primary context (the context the runtime API would share), retained for the process.
public final class Device: @unchecked Sendable {
    public let ordinal: Int
    public let name: String
    /// Compute capability, as nvcc's `sm_XY` names it: (9, 0) on an H100.
    public let capability: (major: Int, minor: Int)
    public let multiprocessors: Int
    public let memoryBytes: Int
    let context: CUcontext
    /// The kernels loaded on this device, shared by every model.
    private var loadedLibrary: KernelLibrary?

    /// The kernel library for `sources` on this device (one per process; a new sources folder replaces it).
    func library(_ sources: KernelSources) -> KernelLibrary {
        Device.openLock.lock()
        defer { Device.openLock.unlock() }
        if let l = loadedLibrary, l.sources.directory == sources.directory { return l }
        let l = KernelLibrary(device: self, sources: sources)
        loadedLibrary = l
        return l
    }

    /// `sm_90` for capability 9.0: the architecture kernels are compiled for.
    public var architecture: String { "sm_\(capability.major)\(capability.minor)" }

    nonisolated(unsafe) private static var opened: [Int: Device] = [:]
    private static let openLock = NSLock()

    /// Device `ordinal` (0 unless `OCTET_CUDA_DEVICE` says otherwise), opened once per process: every model
    /// on it shares its context and its loaded kernels.
    public static func open(_ ordinal: Int? = nil) throws(CUDAError) -> Device {
        let chosen = ordinal ?? Int(ProcessInfoEnvironment.value("OCTET_CUDA_DEVICE") ?? "") ?? 0
        openLock.lock()
        defer { openLock.unlock() }
        if let d = opened[chosen] { return d }
        let d = try openNew(chosen)
        opened[chosen] = d
        return d
    }

    private static func openNew(_ chosen: Int) throws(CUDAError) -> Device {
        try Driver.open()
        var count: Int32 = 0
        try Driver.check(ccuda_device_get_count(&count), "cuDeviceGetCount")
        guard count > 0 else { throw .noDevice("the driver found no NVIDIA GPU") }
        guard chosen >= 0 && chosen < Int(count) else {
            throw .noDevice("device \(chosen) asked for; this machine has \(count) (0 to \(count - 1))")
        }
        return try Device(ordinal: chosen)
    }

    private init(ordinal: Int) throws(CUDAError) {
        var device: CUdevice = 0
        try Driver.check(ccuda_device_get(&device, Int32(ordinal)), "cuDeviceGet")
        var text = [CChar](repeating: 0, count: 256)
        try Driver.check(ccuda_device_get_name(&text, Int32(text.count), device), "cuDeviceGetName")
        func attribute(_ a: Int) throws(CUDAError) -> Int {
            var v: Int32 = 0
            try Driver.check(ccuda_device_get_attribute(&v, Int32(a), device), "cuDeviceGetAttribute")
            return Int(v)
        }
        let major = try attribute(Int(CCUDA_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR))
        let minor = try attribute(Int(CCUDA_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR))
        let sms = try attribute(Int(CCUDA_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT))
        var bytes = 0
        try Driver.check(ccuda_device_total_mem(&bytes, device), "cuDeviceTotalMem_v2")
        var context: CUcontext?
        try Driver.check(ccuda_primary_ctx_retain(&context, device), "cuDevicePrimaryCtxRetain")
        guard let context else { throw .noDevice("device \(ordinal) gave no context") }
        self.ordinal = ordinal
        self.name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.capability = (major, minor)
        self.multiprocessors = sms
        self.memoryBytes = bytes
        self.context = context
    }

    /// Makes this device's context current on the calling thread: Swift work may move between threads, so
    /// every entry into the runtime calls this first.
    func makeCurrent() throws(CUDAError) {
        try Driver.check(ccuda_ctx_set_current(context), "cuCtxSetCurrent")
    }

    /// Free and total device memory, in bytes.
    public func memoryInfo() throws(CUDAError) -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0, total = 0
        try Driver.check(ccuda_mem_get_info(&free, &total), "cuMemGetInfo_v2")
        return (free, total)
    }
}
