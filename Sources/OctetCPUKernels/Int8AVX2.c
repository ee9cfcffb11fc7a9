#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

// AVX2 has no vpdpbusd, and vpmaddubsw saturates its 16-bit pair sums (255 * 127 * 2 > 32767), so each
// 4-byte group of activations is split into 16-bit halves (k0, k2) and (k1, k3) and multiplied with
// vpmaddwd against the weights packed as matching int16 pairs: exact, at twice the instructions.
// Tile: 8 rows x 8 columns, 8 ymm accumulators.

// The vector epilogue, bit-identical to octet_int_store (Int8Epilogue.h); `n` columns of 8 are stored.
AVX2 INLINE void store8(const OctetIntEpilogue *e, ptrdiff_t row, __m256i acc, void *c, ptrdiff_t i, ptrdiff_t n) {
    acc = _mm256_add_epi32(acc, _mm256_set1_epi32(e->bias[row]));
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    if (e->kind == OCTET_INT_OUT_I32) {
        if (n >= 8) _mm256_storeu_si256((__m256i *)((int32_t *)c + i), acc);
        else _mm256_maskstore_epi32((int32_t *)c + i, mask, acc);
        return;
    }
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_set1_ps(e->scale[row]));
    if (e->kind == OCTET_INT_OUT_F32) {
        if (n >= 8) _mm256_storeu_ps((float *)c + i, v);
        else _mm256_maskstore_ps((float *)c + i, mask, v);
        return;
    }
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(e->lower)), _mm256_set1_ps(e->upper));
    __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(v), _mm256_set1_epi32(e->zero_point));
    // Values are within 8-bit range, so the saturating packs only narrow; keep the low byte of each.
    __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    __m128i bytes = _mm_shuffle_epi8(words, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1));
    if (n >= 8) {
        _mm_storel_epi64((__m128i *)((uint8_t *)c + i), bytes);
    } else {
        uint8_t tmp[16];
        _mm_storeu_si128((__m128i *)tmp, bytes);
        memcpy((uint8_t *)c + i, tmp, (size_t)n);
    }
}

AVX2 INLINE void tile(const OctetI8GEMM *g, ptrdiff_t block, ptrdiff_t group, int half) {
    const ptrdiff_t depth4 = g->depth4;
    const int32_t *a = g->a_pairs + block * depth4 * 16;
    const uint8_t *b = g->b + group * depth4 * 64 + half * 32;
    const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
    __m256i c[8];
    for (int r = 0; r < 8; r++) c[r] = _mm256_setzero_si256();
    for (ptrdiff_t k = 0; k < depth4; k++) {
        const __m256i x = _mm256_loadu_si256((const __m256i *)(b + k * 64));
        const __m256i even = _mm256_and_si256(x, low_bytes), odd = _mm256_srli_epi16(x, 8);
        for (int r = 0; r < 8; r++) {
            c[r] = _mm256_add_epi32(c[r], _mm256_madd_epi16(even, _mm256_set1_epi32(a[k * 16 + r * 2])));
            c[r] = _mm256_add_epi32(c[r], _mm256_madd_epi16(odd, _mm256_set1_epi32(a[k * 16 + r * 2 + 1])));
        }
    }
    // Copies, not g's fields: a store through `void *c` could alias g and force a reload after every one.
    const OctetIntEpilogue e = g->epilogue;
    void *const out = g->c;
    const ptrdiff_t ldc = g->ldc;
    const ptrdiff_t r0 = block * 8, rows = g->rows - r0 < 8 ? g->rows - r0 : 8;
    const ptrdiff_t p = group * 16 + half * 8, n = g->columns - p;
    // A constant trip count, as in the AVX-512 tile, so c stays in registers.
#pragma clang loop unroll(full)
    for (int r = 0; r < 8; r++) {
        if (r >= rows) break;
        store8(&e, r0 + r, c[r], out, (r0 + r) * ldc + p, n);
    }
}

AVX2 void octet_i8gemm_avx2(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                            ptrdiff_t group_begin, ptrdiff_t group_end) {
    for (ptrdiff_t group = group_begin; group < group_end; group++) {
        const int halves = g->columns - group * 16 > 8 ? 2 : 1;
        for (ptrdiff_t block = block_begin; block < block_end; block++) {
            for (int half = 0; half < halves; half++) tile(g, block, group, half);
        }
    }
}

// Depthwise: as the AVX-512 kernel, 8 output columns per vector.
AVX2 void octet_i8_depthwise_avx2(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                  ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                                  ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                                  const OctetIntEpilogue *epilogue_in) {
    // A copy, so stores through `void *c` cannot force the epilogue's fields to be reloaded.
    const OctetIntEpilogue e = *epilogue_in, *epilogue = &e;
    int32_t low[taps];
    for (ptrdiff_t t = 0; t < taps; t++) low[t] = weights[t] & 0xFFFF;
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {
        const int32_t *row = plane + oy * row_step;
        for (ptrdiff_t ox = 0; ox < out_width; ox += 16) {
            __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
            for (ptrdiff_t t = 0; t < taps; t++) {
                const __m256i w = _mm256_set1_epi32(low[t]);
                const int32_t *s = row + ox + offsets[t];
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)s), w));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(s + 8)), w));
            }
            store8(epilogue, channel, a0, c, offset + oy * out_width + ox, out_width - ox);
            if (out_width - ox > 8) store8(epilogue, channel, a1, c, offset + oy * out_width + ox + 8, out_width - ox - 8);
        }
    }
}

#else

void octet_i8gemm_avx2(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                       ptrdiff_t group_begin, ptrdiff_t group_end) {
    octet_i8gemm_portable(g, block_begin, block_end, group_begin, group_end);
}

void octet_i8_depthwise_avx2(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                             ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                             ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                             const OctetIntEpilogue *epilogue) {
    octet_i8_depthwise_portable(plane, row_step, offsets, taps, weights, channel, c, offset, out_height,
                                out_width, epilogue);
}

#endif
