import OctetCPU
import OctetCUDA
import OctetIR

/// Where a model runs. Asking for CUDA where there is no GPU, driver or nvcc is an error that says which;
/// the CPU is never chosen in its place.
public enum Target: String, CaseIterable, Sendable {
    case cpu, cuda

    /// `checked`: the CUDA backend surrounds every buffer with guard bytes and fails a run that wrote into
    /// them (`octet test-ops`); the CPU has no such mode.
    public func backend(threads: Int, checked: Bool = false) throws -> any Backend {
        switch self {
        case .cpu: return CPUBackend(threads: threads)
        case .cuda: return CUDABackend(options: .init(guardBytes: checked ? 256 : 0))
        }
    }

    /// What the target runs on, in one line, after checking that it can run at all: the CUDA target's driver,
    /// GPU, kernels and nvcc are looked for here, so a missing one is one clear error up front.
    public func describe(threads: Int) throws -> String {
        switch self {
        case .cpu: return "cpu, \(threads) threads"
        case .cuda: return try CUDABackend.preflight()
        }
    }
}
