#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define AVX2 __attribute__((target("avx2,fma")))

// The classic AVX2 register tile: 12 ymm accumulators (6 rows x 2 vectors of 8 columns), 2 ymm for the
// B row and 1 for the broadcast A value, 15 of the 16 registers. Per k: 2 loads, 6 broadcasts, 12 FMAs.

// C rows (or a 6 x 16 copy of an edge tile) loaded into the accumulators, or the biases plus the addend.
AVX2 static inline void start(const float *c, ptrdiff_t ldc, const float *addend, const OctetTileEpilogue *e,
                              __m256 acc[12]) {
    if (e->accumulate) {
        for (int r = 0; r < 6; r++) {
            acc[2 * r] = _mm256_loadu_ps(c + r * ldc);
            acc[2 * r + 1] = _mm256_loadu_ps(c + r * ldc + 8);
        }
        return;
    }
    __m256 b0 = _mm256_loadu_ps(e->column_bias), b1 = _mm256_loadu_ps(e->column_bias + 8);
    for (int r = 0; r < 6; r++) {
        __m256 rb = _mm256_broadcast_ss(e->row_bias + r);
        acc[2 * r] = _mm256_add_ps(b0, rb);
        acc[2 * r + 1] = _mm256_add_ps(b1, rb);
    }
    if (addend) {
        for (int r = 0; r < 6; r++) {
            acc[2 * r] = _mm256_add_ps(acc[2 * r], _mm256_loadu_ps(addend + r * ldc));
            acc[2 * r + 1] = _mm256_add_ps(acc[2 * r + 1], _mm256_loadu_ps(addend + r * ldc + 8));
        }
    }
}

AVX2 static inline void finish(float *c, ptrdiff_t ldc, const OctetTileEpilogue *e, __m256 acc[12]) {
    if (e->clamp) {
        // max(lo, x) and min(hi, x) return x when x is NaN (the second operand wins on unordered).
        __m256 lo = _mm256_set1_ps(e->lower), hi = _mm256_set1_ps(e->upper);
        for (int i = 0; i < 12; i++) acc[i] = _mm256_min_ps(hi, _mm256_max_ps(lo, acc[i]));
    }
    for (int r = 0; r < 6; r++) {
        _mm256_storeu_ps(c + r * ldc, acc[2 * r]);
        _mm256_storeu_ps(c + r * ldc + 8, acc[2 * r + 1]);
    }
}

AVX2 static inline void multiply16(ptrdiff_t depth, const float *a, const float *b, __m256 acc[12]) {
    __m256 c00 = acc[0], c01 = acc[1], c10 = acc[2], c11 = acc[3], c20 = acc[4], c21 = acc[5];
    __m256 c30 = acc[6], c31 = acc[7], c40 = acc[8], c41 = acc[9], c50 = acc[10], c51 = acc[11];
    for (ptrdiff_t k = 0; k < depth; k++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 x;
        x = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
        a += 6;
        b += 16;
    }
    acc[0] = c00; acc[1] = c01; acc[2] = c10; acc[3] = c11; acc[4] = c20; acc[5] = c21;
    acc[6] = c30; acc[7] = c31; acc[8] = c40; acc[9] = c41; acc[10] = c50; acc[11] = c51;
}

// At most 8 valid columns (the last panel of a narrow matrix): only the first half of each B row is
// read, so half the multiplies are not spent on padding.
AVX2 static inline void multiply8(ptrdiff_t depth, const float *a, const float *b, __m256 acc[12]) {
    __m256 c0 = acc[0], c1 = acc[2], c2 = acc[4], c3 = acc[6], c4 = acc[8], c5 = acc[10];
    for (ptrdiff_t k = 0; k < depth; k++) {
        __m256 b0 = _mm256_loadu_ps(b);
        c0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 0), b0, c0);
        c1 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 1), b0, c1);
        c2 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 2), b0, c2);
        c3 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 3), b0, c3);
        c4 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 4), b0, c4);
        c5 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 5), b0, c5);
        a += 6;
        b += 16;
    }
    acc[0] = c0; acc[2] = c1; acc[4] = c2; acc[6] = c3; acc[8] = c4; acc[10] = c5;
}

AVX2 void octet_sgemm_tile_6x16_avx2(ptrdiff_t depth, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                     ptrdiff_t rows, ptrdiff_t columns, const OctetTileEpilogue *epilogue) {
    __m256 acc[12];
    if (rows == 6 && columns == 16) {
        start(c, ldc, epilogue->addend, epilogue, acc);
        multiply16(depth, a, b, acc);
        finish(c, ldc, epilogue, acc);
        return;
    }
    // An edge tile goes through full-size buffers; only its valid part of C (and the addend) is read and
    // written.
    float edge[6 * 16], addend[6 * 16];
    if (epilogue->accumulate) {
        memset(edge, 0, sizeof edge);
        for (ptrdiff_t r = 0; r < rows; r++) memcpy(edge + r * 16, c + r * ldc, (size_t)columns * sizeof(float));
    } else if (epilogue->addend) {
        memset(addend, 0, sizeof addend);
        for (ptrdiff_t r = 0; r < rows; r++) {
            memcpy(addend + r * 16, epilogue->addend + r * ldc, (size_t)columns * sizeof(float));
        }
    }
    start(edge, 16, epilogue->addend ? addend : 0, epilogue, acc);
    if (columns <= 8) {
        multiply8(depth, a, b, acc);
    } else {
        multiply16(depth, a, b, acc);
    }
    finish(edge, 16, epilogue, acc);
    for (ptrdiff_t r = 0; r < rows; r++) memcpy(c + r * ldc, edge + r * 16, (size_t)columns * sizeof(float));
}

#else

void octet_sgemm_tile_6x16_avx2(ptrdiff_t depth, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                ptrdiff_t rows, ptrdiff_t columns, const OctetTileEpilogue *epilogue) {
    // Unreachable: octet_cpu_has_avx2_fma() is 0 here, and callers check it first.
    (void)depth; (void)a; (void)b; (void)c; (void)ldc; (void)rows; (void)columns; (void)epilogue;
    __builtin_trap();
}

#endif
