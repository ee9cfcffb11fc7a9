#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <cpuid.h>

// CPUID says what the processor has; XGETBV says whether the operating system saves the ymm registers
// on a context switch. Read directly rather than through __builtin_cpu_supports, which needs a runtime
// library symbol that a statically linked binary may lack.
int octet_cpu_has_avx2_fma(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
    if ((ecx & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
    unsigned int xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 6u) != 6u) return 0;  // xmm and ymm state
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & (1u << 5)) != 0;  // AVX2
}

// AVX-512 also needs the operating system to save the opmask and both halves of the zmm registers
// (XCR0 bits 5-7) besides xmm and ymm. Returns CPUID leaf 7's ebx and ecx, or 0 when unusable.
static int avx512_leaf7(unsigned int *ebx, unsigned int *ecx) {
    unsigned int eax, b, c, edx;
    if (!__get_cpuid(1, &eax, &b, &c, &edx)) return 0;
    const unsigned int osxsave = 1u << 27;
    if ((c & osxsave) == 0) return 0;
    unsigned int xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xE6u) != 0xE6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, *ebx, *ecx, edx);
    return 1;
}

int octet_cpu_has_avx512f(void) {
    unsigned int ebx, ecx;
    return avx512_leaf7(&ebx, &ecx) && (ebx & (1u << 16)) != 0;
}

int octet_cpu_has_avx512_vnni(void) {
    unsigned int ebx, ecx;
    if (!avx512_leaf7(&ebx, &ecx)) return 0;
    const unsigned int f = 1u << 16, bw = 1u << 30, vl = 1u << 31, vnni = 1u << 11;
    return (ebx & (f | bw | vl)) == (f | bw | vl) && (ecx & vnni) != 0;
}

#else

int octet_cpu_has_avx2_fma(void) { return 0; }
int octet_cpu_has_avx512f(void) { return 0; }
int octet_cpu_has_avx512_vnni(void) { return 0; }

#endif
