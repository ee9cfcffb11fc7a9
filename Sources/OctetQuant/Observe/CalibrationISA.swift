import OctetCPUKernels

/// Whether the calibration loops in OctetCPUKernels (histogram counting, ranges, the MSE and KL searches,
/// auto's scoring) take their AVX-512 paths. Every such path gives its portable loop's bits, so unlike the
/// inference kernels this choice never changes a result and `--isa` does not limit it.
enum CalibrationISA {
    static let avx512: Int32 = octet_cpu_has_avx512f()
}
