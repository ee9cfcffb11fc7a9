import OctetCPU
import OctetIR

/// Where a model runs. CUDA arrives with its backend; until then asking for it is a clear error.
public enum Target: String, CaseIterable, Sendable {
    case cpu, cuda

    public func backend(threads: Int) throws -> any Backend {
        switch self {
        case .cpu: return CPUBackend(threads: threads)
        case .cuda: throw InputError(nil, "target cuda: this build of octet has no CUDA backend yet; use the cpu target")
        }
    }
}
