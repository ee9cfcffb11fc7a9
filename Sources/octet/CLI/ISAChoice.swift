import OctetCPU

/// `--isa`: the most capable vector instructions the CPU kernels may use, for comparing their paths.
enum ISAChoice: String, CaseIterable {
    case best, avx512vnni, avx2, portable

    static let help = """
          --isa I        best (default), avx512vnni, avx2 or portable: the most the CPU kernels may use (a level
                         the CPU lacks falls back to the best it has)
        """

    /// Runs `body` with the float and integer kernels limited to this level.
    func run<T>(_ body: () throws -> T) rethrows -> T {
        let (float, integer): (KernelISA, IntegerKernelISA)
        switch self {
        case .best, .avx512vnni: (float, integer) = (.avx512, .avx512vnni)
        case .avx2: (float, integer) = (.avx2, .avx2)
        case .portable: (float, integer) = (.portable, .portable)
        }
        return try KernelISA.$requested.withValue(float) {
            try IntegerKernelISA.$requested.withValue(integer) { try body() }
        }
    }

    /// What the kernels use under this choice on this CPU.
    var effective: String {
        run { "float \(KernelISA.current), integer \(IntegerKernelISA.current)" }
    }
}
