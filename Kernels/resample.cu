// Mirrors Sources/OctetCPU/Reference/Resize.swift (ResizeAxis.resample): linear and cubic Resize, one
// axis at a time, with the taps and weights that Sources/OctetIR/ResizeGeometry.swift gives both backends.
// Each output is 0 plus weight * source for each tap in order, every product and sum rounded once, as the
// CPU accumulates; an output whose first index is -1 lies outside the crop and takes `fill`.
#include "octet_grid.cuh"

// x is [outer, in_size, inner], y is [outer, out_size, inner]; indices and weights are [out_size, taps].
extern "C" __global__ void octet_resample_axis_f32(const float* x, float* y, long long outer, int in_size, int out_size,
                                                   long long inner, int taps, const int* indices, const float* weights,
                                                   float fill) {
    const long long n = outer * out_size * inner;
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        const long long k = i % inner, j = (i / inner) % out_size, o = i / (inner * out_size);
        if (indices[j * taps] < 0) {
            y[i] = fill;
            continue;
        }
        float acc = 0.0f;
        for (int t = 0; t < taps; ++t) {
            const long long s = (o * in_size + indices[j * taps + t]) * inner + k;
            acc = __fadd_rn(acc, __fmul_rn(weights[j * taps + t], x[s]));
        }
        y[i] = acc;
    }
}
