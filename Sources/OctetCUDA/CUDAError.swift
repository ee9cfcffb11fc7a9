/// Everything that can go wrong on the CUDA target, each saying which thing failed and what to do.
public enum CUDAError: Error, Equatable, CustomStringConvertible {
    /// No driver library, or one too old to have an entry point Octet needs.
    case driverUnavailable(String)
    /// The driver is there but sees no GPU (or the ordinal asked for does not exist).
    case noDevice(String)
    /// A driver call failed: the call, the driver's error name and its description.
    case call(function: String, code: Int32, name: String, message: String)
    /// No nvcc was found to compile the kernels.
    case nvccMissing(String)
    /// nvcc ran and failed (its output is in the message).
    case compileFailed(kernel: String, output: String)
    /// The kernel sources (`Kernels/`) were not found.
    case kernelsMissing(String)
    /// The graph has an op or a form the CUDA backend has no kernel for.
    case unsupported(String)
    /// A run wrote outside a buffer (found by the guard bytes of a checked run).
    case outOfBounds(String)

    public var description: String {
        switch self {
        case .driverUnavailable(let m):
            return "CUDA driver unavailable: \(m). Install the NVIDIA driver, or run with --target cpu"
        case .noDevice(let m): return "no CUDA device: \(m)"
        case .call(let function, let code, let name, let message):
            var text = "\(function) failed: \(name) (\(code)): \(message)"
            if name == "CUDA_ERROR_OUT_OF_MEMORY" { text += "; try a smaller --batch" }
            if name == "CUDA_ERROR_NO_BINARY_FOR_GPU" || name == "CUDA_ERROR_UNSUPPORTED_PTX_VERSION" {
                text += "; the kernel was compiled for another GPU (clear the kernel cache, OCTET_CACHE)"
            }
            return text
        case .nvccMissing(let m):
            return "nvcc not found (\(m)): set OCTET_NVCC or CUDA_HOME, or put nvcc on PATH"
        case .compileFailed(let kernel, let output): return "nvcc failed on \(kernel):\n\(output)"
        case .kernelsMissing(let m): return "CUDA kernel sources not found: \(m)"
        case .unsupported(let m): return "not supported on cuda: \(m)"
        case .outOfBounds(let m): return "out-of-bounds write on cuda: \(m)"
        }
    }
}
