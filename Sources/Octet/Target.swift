import OctetCPU
import OctetCUDA
import OctetIR

/// Where a model runs. Asking for CUDA where there is no GPU, driver or nvcc is an error that says which;
/// the CPU is never chosen in its place.
public enum Target: String, CaseIterable, Sendable {
    case cpu, cuda

    public func backend(threads: Int) throws -> any Backend {
        switch self {
        case .cpu: return CPUBackend(threads: threads)
        case .cuda: return CUDABackend()
        }
    }
}
