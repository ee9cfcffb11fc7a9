import OctetCPUKernels

/// The vector instructions the integer (int8) kernels use.
///
/// `best` is read from the CPU once. `current` is a task-local narrowing of it, so a test (or a comparison
/// run) can put one task on a slower path without touching other tasks; asking for more than the CPU has
/// still gets `best`.
public enum IntegerKernelISA: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Plain C loops; runs everywhere.
    case portable
    /// AVX2: exact 16-bit vpmaddwd products (x86_64 only).
    case avx2
    /// AVX-512 VNNI: vpdpbusd, four u8 x s8 products per int32 lane (x86_64 only).
    case avx512vnni

    /// The most capable level this CPU runs.
    public static let best: IntegerKernelISA =
        octet_cpu_has_avx512_vnni() != 0 ? .avx512vnni : octet_cpu_has_avx2_fma() != 0 ? .avx2 : .portable

    /// The level asked for on this task; the kernels use `min(requested, best)`.
    @TaskLocal public static var requested: IntegerKernelISA = .avx512vnni

    /// The level the kernels use on this task now.
    public static var current: IntegerKernelISA { min(requested, best) }

    public static func < (a: IntegerKernelISA, b: IntegerKernelISA) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512vnni: "avx512vnni"
        }
    }
}
