import CCUDA
import Foundation

/// The kernels loaded on one device: each `.cu` file compiled (or read from the cache) the first time one of
/// its kernels is asked for, loaded as a module, and its functions kept by name.
final class KernelLibrary: @unchecked Sendable {
    let device: Device
    let sources: KernelSources
    let cache: KernelCache
    private let lock = NSLock()
    private var modules: [String: CUmodule] = [:]
    private var functions: [String: CUfunction] = [:]
    private var compiler: NVCC?

    init(device: Device, sources: KernelSources, cache: KernelCache = KernelCache()) {
        self.device = device
        self.sources = sources
        self.cache = cache
    }

    /// The function `name`, loading its module first when needed.
    func function(_ name: String) throws(CUDAError) -> CUfunction {
        lock.lock()
        defer { lock.unlock() }
        if let f = functions[name] { return f }
        guard let file = sources.files[name] else {
            throw .kernelsMissing("no kernel \(name) in \(sources.directory) (the Kernels folder does not match this octet)")
        }
        let module: CUmodule
        if let m = modules[file] {
            module = m
        } else {
            let image = try cache.cubin(file, in: sources, architecture: device.architecture) { () throws(CUDAError) -> NVCC in
                if let compiler { return compiler }
                let found = try NVCC.find()
                compiler = found
                return found
            }
            try device.makeCurrent()
            var loaded: CUmodule?
            let result = image.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                ccuda_module_load_data(&loaded, raw.baseAddress)
            }
            try Driver.check(result, "cuModuleLoadData")
            guard let loaded else { throw .kernelsMissing("\(file) loaded as no module") }
            modules[file] = loaded
            module = loaded
        }
        var f: CUfunction?
        try Driver.check(ccuda_module_get_function(&f, module, name), "cuModuleGetFunction")
        guard let f else { throw .kernelsMissing("\(name) not found in \(file)'s cubin") }
        functions[name] = f
        return f
    }
}
