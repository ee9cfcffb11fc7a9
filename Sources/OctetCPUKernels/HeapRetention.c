#include "OctetCPUKernels.h"

#if defined(__GLIBC__)
#include <malloc.h>

// glibc serves blocks over its mmap threshold (a ResNet activation is 3 MB, a batch of 16 MobileNetV2
// activations 77 MB) with fresh pages and trims the heap top when they are freed, so every inference
// faults in and zeroes its activations again (13% of a batch-16 run). No block is mmapped on its own
// (M_MMAP_MAX 0: the threshold itself stops at 32 MiB), and the trim threshold keeps up to 1 GiB of free
// heap for the next run.
int octet_retain_freed_heap(void) {
    return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
}

#else

int octet_retain_freed_heap(void) { return 0; }

#endif
