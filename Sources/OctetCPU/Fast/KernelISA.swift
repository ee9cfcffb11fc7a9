import OctetCPUKernels

/// The vector instructions the fast float kernels use.
///
/// `best` is read from the CPU once. `current` is a task-local narrowing of it, so a test (or a comparison
/// run) can put one task on the portable kernels without touching other tasks; asking for more than the
/// CPU has still gets `best`.
public enum KernelISA: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Swift SIMD loops: SSE2 on x86_64, NEON on arm64; runs everywhere.
    case portable
    /// C micro-kernels compiled for AVX2 and FMA (x86_64 only).
    case avx2
    /// The AVX2 kernels, with the packed GEMM's tile on AVX-512 F (x86_64 only).
    case avx512

    /// The most capable level this CPU runs.
    public static let best: KernelISA =
        octet_cpu_has_avx2_fma() == 0 ? .portable : octet_cpu_has_avx512f() != 0 ? .avx512 : .avx2

    /// The level asked for on this task; the kernels use `min(requested, best)`.
    @TaskLocal public static var requested: KernelISA = .avx512

    /// The level the kernels use on this task now.
    public static var current: KernelISA { min(requested, best) }

    public static func < (a: KernelISA, b: KernelISA) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2+fma"
        case .avx512: "avx512f"
        }
    }
}
