#include "OctetCPUKernels.h"

#if defined(__GLIBC__)
#include <malloc.h>

// glibc serves blocks over its mmap threshold (a ResNet activation is 3 MB) with fresh pages and trims
// the heap top when they are freed, so every inference faults in and zeroes its activations again.
// 32 MiB is the largest mmap threshold glibc takes; the trim threshold keeps up to 1 GiB of free heap.
int octet_retain_freed_heap(void) {
    return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
}

#else

int octet_retain_freed_heap(void) { return 0; }

#endif
