#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "ByteTranspose.h"
#include "DepthwiseLanesLayout.h"

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE static inline __attribute__((always_inline))

// Pointwise convolutions of small planes with 16 output channels in the lanes and the pixels broadcast.
// The column GEMM puts 16 pixels in each vector, so a 7x7 plane's 49 pixels fill four vectors of which the
// last holds one pixel: a quarter of its products are padding. Channel counts are multiples of 16 in the
// models that matter, so here nothing is padded. Each vector of 16 channels times up to 16 pixels is
// transposed back to the NCHW plane as bytes.

VNNI void octet_i8_pack_pixels_avx512(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                                      uint8_t flip, ptrdiff_t depth4_begin, ptrdiff_t depth4_end, uint8_t *packed) {
    const __m128i f = _mm_set1_epi8((char)flip);
    for (ptrdiff_t k4 = depth4_begin; k4 < depth4_end; k4++) {
        const uint8_t *rows[4];
        ptrdiff_t live = 0;
        for (int q = 0; q < 4; q++) {
            rows[q] = x + (k4 * 4 + q) * row_stride;
            if (k4 * 4 + q < depth) live = q + 1;
        }
        uint8_t *out = packed + k4 * columns * 4;
        for (ptrdiff_t p = 0; p < columns; p += 16) {
            const __mmask16 m = octet_lanes_for(columns - p);
            __m128i r[4];
            for (int q = 0; q < 4; q++) {
                // Depth past the matrix meets zero weights; zeros keep the buffer deterministic.
                r[q] = q < live ? _mm_xor_si128(_mm_maskz_loadu_epi8(m, rows[q] + p), f) : _mm_setzero_si128();
            }
            __m128i words[4];
            octet_interleave4x16(r, words);
            for (int v = 0; v < 4; v++) {
                const ptrdiff_t first = p + v * 4;
                if (first >= columns) break;
                _mm_mask_storeu_epi32(out + first * 4, (__mmask8)octet_lanes_for(columns - first), words[v]);
            }
        }
    }
}

// One tile: channels [16 * vector, + 16 * vectors) of pixels [p0, p0 + count). `vectors` (1 to 3) and
// `count` (8, 4, 2 or 1) are constants in each copy, so the accumulators stay in registers: at most 24 of
// them, with 3 weight vectors (each two 8-row blocks of the packed A) and 8 broadcasts per 4 depth values.
VNNI INLINE void tile(const OctetI8GEMM *g, const OctetIntEpilogue *e, ptrdiff_t vector, const int vectors,
                      ptrdiff_t p0, const int count) {
    const ptrdiff_t depth4 = g->depth4, columns = g->columns;
    const int8_t *low[3], *high[3];
    ptrdiff_t rows[3];
    for (int v = 0; v < vectors; v++) {
        const ptrdiff_t r0 = (vector + v) * 16;
        rows[v] = g->rows - r0 < 16 ? g->rows - r0 : 16;
        low[v] = g->a + (vector + v) * 2 * depth4 * 32;
        // Without a second 8-row block the upper lanes repeat the first; their rows are never stored.
        high[v] = rows[v] > 8 ? low[v] + depth4 * 32 : low[v];
    }
    const uint8_t *b = g->b + p0 * 4;
    const ptrdiff_t b_step = columns * 4;
    __m512i acc[3][8];
    for (int v = 0; v < vectors; v++)
        for (int i = 0; i < count; i++) acc[v][i] = _mm512_setzero_si512();
    for (ptrdiff_t k = 0; k < depth4; k++, b += b_step) {
        __m512i w[3];
        for (int v = 0; v < vectors; v++) {
            w[v] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(low[v] + k * 32))),
                                      _mm256_loadu_si256((const __m256i *)(high[v] + k * 32)), 1);
        }
        for (int i = 0; i < count; i++) {
            int32_t word;
            __builtin_memcpy(&word, b + i * 4, 4);
            const __m512i x = _mm512_set1_epi32(word);
            for (int v = 0; v < vectors; v++) acc[v][i] = _mm512_dpbusd_epi32(acc[v][i], x, w[v]);
        }
    }
    // octet_int_store's arithmetic, lane by lane with each channel's own bias and scale.
    const __m512 lower = _mm512_set1_ps(e->lower), upper = _mm512_set1_ps(e->upper);
    const __m512i zero_point = _mm512_set1_epi32(e->zero_point);
    const __mmask16 pixels = octet_lanes_for(count);
    for (int v = 0; v < vectors; v++) {
        const ptrdiff_t r0 = (vector + v) * 16;
        const __mmask16 valid = octet_lanes_for(rows[v]);
        const __m512i bias = _mm512_maskz_loadu_epi32(valid, e->bias + r0);
        const __m512 scale = _mm512_maskz_loadu_ps(valid, e->scale + r0);
        __m128i r[16], d[16];
        for (int i = 0; i < 16; i++) {
            if (i >= count) {
                r[i] = _mm_setzero_si128();
                continue;
            }
            __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(acc[v][i], bias)), scale);
            f = _mm512_min_ps(_mm512_max_ps(f, lower), upper);
            r[i] = _mm512_cvtepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(f), zero_point));
        }
        octet_transpose16x16(r, d);
        uint8_t *out = (uint8_t *)g->c + r0 * g->ldc + p0;
        for (ptrdiff_t j = 0; j < rows[v]; j++) _mm_mask_storeu_epi8(out + j * g->ldc, pixels, d[j]);
    }
}

// Every pixel of `vectors` (a constant) channel vectors from `vector` on.
VNNI INLINE void strip(const OctetI8GEMM *g, const OctetIntEpilogue *e, ptrdiff_t vector, const int vectors) {
    const ptrdiff_t columns = g->columns;
    ptrdiff_t p = 0;
    for (; p + 8 <= columns; p += 8) tile(g, e, vector, vectors, p, 8);
    // The ragged end in tiles of 4, 2 and 1 pixels rather than one padded tile of 8.
    if (columns - p >= 4) { tile(g, e, vector, vectors, p, 4); p += 4; }
    if (columns - p >= 2) { tile(g, e, vector, vectors, p, 2); p += 2; }
    if (columns - p >= 1) tile(g, e, vector, vectors, p, 1);
}

VNNI void octet_i8gemm_channel_lanes_avx512(const OctetI8GEMM *g, ptrdiff_t vector_begin, ptrdiff_t vector_end) {
    // A copy, so the stores through g->c cannot force the epilogue's fields to be reloaded.
    const OctetIntEpilogue e = g->epilogue;
    ptrdiff_t vector = vector_begin;
    for (; vector + 3 <= vector_end; vector += 3) strip(g, &e, vector, 3);
    if (vector_end - vector == 2) strip(g, &e, vector, 2);
    else if (vector_end - vector == 1) strip(g, &e, vector, 1);
}

#else

void octet_i8_pack_pixels_avx512(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                                 uint8_t flip, ptrdiff_t depth4_begin, ptrdiff_t depth4_end, uint8_t *packed) {
    // Unreachable: octet_cpu_has_avx512_vnni() is 0 here, and callers check it first.
    (void)x; (void)row_stride; (void)depth; (void)columns; (void)flip; (void)depth4_begin; (void)depth4_end;
    (void)packed;
    __builtin_trap();
}

void octet_i8gemm_channel_lanes_avx512(const OctetI8GEMM *g, ptrdiff_t vector_begin, ptrdiff_t vector_end) {
    // Unreachable: octet_cpu_has_avx512_vnni() is 0 here, and callers check it first.
    (void)g; (void)vector_begin; (void)vector_end;
    __builtin_trap();
}

#endif
