import Foundation
import OctetCPU
import Testing

@Suite("Kernel instruction set selection")
struct KernelISATests {
    @Test("The AVX2 kernels are chosen when the CPU lists avx2 and fma, the AVX-512 tile when it also lists avx512f")
    func bestMatchesCPUFlags() throws {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            print("SKIPPED: no /proc/cpuinfo flags to compare with")
            return
        }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        #if arch(x86_64)
        let expected: KernelISA = !(flags.contains("avx2") && flags.contains("fma")) ? .portable
            : flags.contains("avx512f") ? .avx512 : .avx2
        #else
        let expected: KernelISA = .portable
        #endif
        #expect(KernelISA.best == expected)
    }

    @Test("A task asking for the portable kernels gets them; asking for more than the CPU has gets the best")
    func requestedNarrowsCurrent() {
        KernelISA.$requested.withValue(.portable) { #expect(KernelISA.current == .portable) }
        KernelISA.$requested.withValue(.avx2) { #expect(KernelISA.current == min(.avx2, KernelISA.best)) }
        KernelISA.$requested.withValue(.avx512) { #expect(KernelISA.current == KernelISA.best) }
    }
}
