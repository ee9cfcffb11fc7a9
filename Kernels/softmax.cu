// Mirrors Sources/OctetCPU/Reference/Softmax.swift (opset 13: along the last axis of a [rows, cols]
// view; the host makes the axis last). The maximum is subtracted so large inputs stay finite, and the
// exponentials are scaled by one reciprocal of their sum, as the CPU does.
#include "octet_grid.cuh"
#include "octet_swift.cuh"

// One thread per row, columns in order: the CPU's order of the float sum, and correct for any block
// size. A row is a class vector or an attention row, short enough for one thread in this round.
extern "C" __global__ void octet_softmax_f32(const float* x, float* y, int rows, int cols) {
    for (long long row = octet_first_index(); row < rows; row += octet_index_stride()) {
        const float* in = x + row * cols;
        float* out = y + row * cols;
        float m = -INFINITY;
        for (int k = 0; k < cols; ++k) m = octet_swift_max(m, in[k]);
        float sum = 0.0f;
        for (int k = 0; k < cols; ++k) {
            const float e = expf(in[k] - m);
            out[k] = e;
            sum += e;
        }
        const float scale = 1.0f / sum;
        for (int k = 0; k < cols; ++k) out[k] *= scale;
    }
}
