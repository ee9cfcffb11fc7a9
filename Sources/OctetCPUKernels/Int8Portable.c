#include "OctetCPUKernels.h"
#include "Int8Epilogue.h"

// Plain C versions of the integer kernels, for CPUs without AVX2 and as the reading of what the vector
// kernels compute.

void octet_i8gemm_portable(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                           ptrdiff_t group_begin, ptrdiff_t group_end) {
    const ptrdiff_t depth4 = g->depth4;
    for (ptrdiff_t group = group_begin; group < group_end; group++) {
        const uint8_t *b = g->b + group * depth4 * 64;
        const ptrdiff_t p0 = group * 16;
        const ptrdiff_t columns = g->columns - p0 < 16 ? g->columns - p0 : 16;
        for (ptrdiff_t block = block_begin; block < block_end; block++) {
            const int8_t *a = g->a + block * depth4 * 32;
            int32_t acc[8][16] = {{0}};
            for (ptrdiff_t k = 0; k < depth4; k++) {
                for (int r = 0; r < 8; r++) {
                    for (int j = 0; j < 16; j++) {
                        int32_t sum = 0;
                        for (int q = 0; q < 4; q++) sum += (int32_t)a[k * 32 + r * 4 + q] * (int32_t)b[k * 64 + j * 4 + q];
                        acc[r][j] += sum;
                    }
                }
            }
            const ptrdiff_t r0 = block * 8, rows = g->rows - r0 < 8 ? g->rows - r0 : 8;
            for (ptrdiff_t r = 0; r < rows; r++) {
                for (ptrdiff_t j = 0; j < columns; j++) {
                    octet_int_store(&g->epilogue, r0 + r, acc[r][j], g->c, (r0 + r) * g->ldc + p0 + j);
                }
            }
        }
    }
}

void octet_i8_depthwise_portable(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                 ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                                 ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                                 const OctetIntEpilogue *epilogue) {
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {
        const int32_t *row = plane + oy * row_step;
        for (ptrdiff_t ox = 0; ox < out_width; ox++) {
            int32_t acc = 0;
            for (ptrdiff_t t = 0; t < taps; t++) acc += weights[t] * row[ox + offsets[t]];
            octet_int_store(epilogue, channel, acc, c, offset + oy * out_width + ox);
        }
    }
}
