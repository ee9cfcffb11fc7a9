// Mirrors Sources/OctetCPU/Reference/Softmax.swift (opset 13: along one axis, seen as [outer, n, inner]).
// The maximum is subtracted so large inputs stay finite, and the exponentials are scaled by one reciprocal
// of their sum, as the CPU does.
#include "octet_grid.cuh"
#include "octet_swift.cuh"

// One thread per (outer, inner) line, its n values in order: the CPU's order of the float sum, and correct
// for any block size. A line is a class vector or an attention row, short enough for one thread here.
extern "C" __global__ void octet_softmax_f32(const float* x, float* y, long long outer, int n, long long inner) {
    const long long lines = outer * inner;
    for (long long line = octet_first_index(); line < lines; line += octet_index_stride()) {
        const long long o = line / inner, j = line % inner;
        const long long base = o * n * inner + j;
        float m = -INFINITY;
        for (int k = 0; k < n; ++k) m = octet_swift_max(m, x[base + k * inner]);
        float sum = 0.0f;
        for (int k = 0; k < n; ++k) {
            const float e = expf(x[base + k * inner] - m);
            y[base + k * inner] = e;
            sum += e;
        }
        const float scale = 1.0f / sum;
        for (int k = 0; k < n; ++k) y[base + k * inner] *= scale;
    }
}
