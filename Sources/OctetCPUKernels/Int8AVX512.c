#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE static inline __attribute__((always_inline))

// The GEMM tile is 8 rows x 3 vectors of 16 columns: 24 zmm accumulators, 3 for the B slices and one
// broadcast weight word. Per 4 depth values: 3 loads, 8 broadcasts and 24 vpdpbusd (u8 x s8, 4 products
// summed exactly into each int32 lane, no saturation).

// The vector epilogue; bit-identical to octet_int_store (Int8Epilogue.h): cvtdq2ps and cvtps2dq round to
// nearest even in the default MXCSR mode, and clamping before the conversion equals clamping after it
// because the bounds are integers.
VNNI INLINE void store16(const OctetIntEpilogue *e, ptrdiff_t row, __m512i acc, void *c, ptrdiff_t i,
                         __mmask16 m) {
    acc = _mm512_add_epi32(acc, _mm512_set1_epi32(e->bias[row]));
    if (e->kind == OCTET_INT_OUT_I32) {
        _mm512_mask_storeu_epi32((int32_t *)c + i, m, acc);
        return;
    }
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_set1_ps(e->scale[row]));
    if (e->kind == OCTET_INT_OUT_F32) {
        _mm512_mask_storeu_ps((float *)c + i, m, v);
        return;
    }
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(e->lower)), _mm512_set1_ps(e->upper));
    __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), _mm512_set1_epi32(e->zero_point));
    _mm_mask_storeu_epi8((uint8_t *)c + i, m, _mm512_cvtepi32_epi8(q));
}

INLINE __mmask16 mask_for(ptrdiff_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

VNNI INLINE void tile(const OctetI8GEMM *g, ptrdiff_t block, ptrdiff_t group, const int vectors) {
    const ptrdiff_t depth4 = g->depth4, bs = depth4 * 64;
    const int8_t *a = g->a + block * depth4 * 32;
    const uint8_t *b = g->b + group * bs;
    __m512i c[8][3];
    for (int r = 0; r < 8; r++)
        for (int v = 0; v < 3; v++) c[r][v] = _mm512_setzero_si512();
    for (ptrdiff_t k = 0; k < depth4; k++) {
        __m512i x[3];
        for (int v = 0; v < vectors; v++) x[v] = _mm512_loadu_si512(b + v * bs + k * 64);
        for (int r = 0; r < 8; r++) {
            int32_t word;
            memcpy(&word, a + k * 32 + r * 4, 4);
            const __m512i w = _mm512_set1_epi32(word);
            for (int v = 0; v < vectors; v++) c[r][v] = _mm512_dpbusd_epi32(c[r][v], x[v], w);
        }
    }
    const ptrdiff_t r0 = block * 8, rows = g->rows - r0 < 8 ? g->rows - r0 : 8;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) {
            const ptrdiff_t p = (group + v) * 16;
            store16(&g->epilogue, r0 + r, c[r][v], g->c, (r0 + r) * g->ldc + p, mask_for(g->columns - p));
        }
    }
}

VNNI void octet_i8gemm_avx512vnni(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                                  ptrdiff_t group_begin, ptrdiff_t group_end) {
    for (ptrdiff_t group = group_begin; group < group_end; group += 3) {
        const ptrdiff_t left = group_end - group;
        for (ptrdiff_t block = block_begin; block < block_end; block++) {
            if (left >= 3) tile(g, block, group, 3);
            else if (left == 2) tile(g, block, group, 2);
            else tile(g, block, group, 1);
        }
    }
}

// Depthwise: 16 output columns per vector. Plane values and weights fit int16, so vpmaddwd of a plane
// value with the weight in the low half (high half zero) is their exact product in one instruction.
VNNI void octet_i8_depthwise_avx512(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                    ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                                    ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                                    const OctetIntEpilogue *epilogue) {
    int32_t low[taps];
    for (ptrdiff_t t = 0; t < taps; t++) low[t] = weights[t] & 0xFFFF;
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {
        const int32_t *row = plane + oy * row_step;
        ptrdiff_t ox = 0;
        for (; ox + 32 <= out_width; ox += 32) {
            __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
            for (ptrdiff_t t = 0; t < taps; t++) {
                const __m512i w = _mm512_set1_epi32(low[t]);
                const int32_t *s = row + ox + offsets[t];
                a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(_mm512_loadu_si512(s), w));
                a1 = _mm512_add_epi32(a1, _mm512_madd_epi16(_mm512_loadu_si512(s + 16), w));
            }
            store16(epilogue, channel, a0, c, offset + oy * out_width + ox, 0xFFFF);
            store16(epilogue, channel, a1, c, offset + oy * out_width + ox + 16, 0xFFFF);
        }
        for (; ox < out_width; ox += 16) {
            __m512i a0 = _mm512_setzero_si512();
            for (ptrdiff_t t = 0; t < taps; t++) {
                const __m512i w = _mm512_set1_epi32(low[t]);
                a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(_mm512_loadu_si512(row + ox + offsets[t]), w));
            }
            store16(epilogue, channel, a0, c, offset + oy * out_width + ox, mask_for(out_width - ox));
        }
    }
}

#else

void octet_i8gemm_avx512vnni(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                             ptrdiff_t group_begin, ptrdiff_t group_end) {
    octet_i8gemm_portable(g, block_begin, block_end, group_begin, group_end);
}

void octet_i8_depthwise_avx512(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                               ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                               ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                               const OctetIntEpilogue *epilogue) {
    octet_i8_depthwise_portable(plane, row_step, offsets, taps, weights, channel, c, offset, out_height,
                                out_width, epilogue);
}

#endif
