#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "ByteTranspose.h"
#include "DepthwiseLanesLayout.h"

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define INLINE static inline __attribute__((always_inline))

// octet_i8_pack_gather with vector loads. A group's 16 columns are, unless the output rows are narrower
// than 16, at most two runs of evenly spaced bytes (the end of one output row and the start of the next),
// spaced by the convolution's stride. For stride 1 or 2 each run is one masked load per depth row (stride
// 2 takes the low bytes of 16-bit words); four depth rows then interleave into the [16 columns][4 k]
// slice. Other groups take the scalar gather. Only the bytes the scalar gather reads are loaded (masked
// lanes are not read), so the loads stay inside the padded copy.

// Whether p[0..16) is a run of stride s from p[0], then one from p[split]; sets split (16: a single run).
INLINE int two_runs(const ptrdiff_t *p, ptrdiff_t *stride, int *split) {
    const ptrdiff_t s = p[1] - p[0];
    if (s != 1 && s != 2) return 0;
    int j = 1;
    while (j < 16 && p[j] == p[0] + j * s) j++;
    *split = j;
    for (int i = j + 1; i < 16; i++) {
        if (p[i] != p[j] + (i - j) * s) return 0;
    }
    *stride = s;
    return 1;
}

// One depth row's 16 columns: lanes below `split` (mask `first`) from `a`, the rest from `b` (moved back by
// split * stride, so lane j reads b + j * stride). For stride 2 lane j is word j, whose low byte is column
// j: `words_a` and `words_b` select those low bytes only.
AVX512 INLINE __m128i row16(const uint8_t *a, const uint8_t *b, ptrdiff_t stride, __mmask16 first, __mmask32 words_a,
                            __mmask32 words_b) {
    if (stride == 1) return _mm_mask_loadu_epi8(_mm_maskz_loadu_epi8(first, a), (__mmask16)~first, b);
    return _mm256_cvtepi16_epi8(_mm256_mask_loadu_epi8(_mm256_maskz_loadu_epi8(words_a, a), words_b, b));
}

AVX512 void octet_i8_pack_gather_avx512(const uint8_t *source, const ptrdiff_t *k_offsets, const ptrdiff_t *p_offsets,
                                        ptrdiff_t depth4, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed) {
    for (ptrdiff_t group = group_begin; group < group_end; group++) {
        const ptrdiff_t *p = p_offsets + group * 16;
        ptrdiff_t stride;
        int split;
        if (!two_runs(p, &stride, &split)) {
            octet_i8_pack_gather(source, k_offsets, p_offsets, depth4, group, group + 1, packed);
            continue;
        }
        const __mmask16 first = octet_lanes_for(split);
        __mmask32 words_a = 0, words_b = 0;
        for (int j = 0; j < 16; j++) {
            if (j < split) words_a |= (__mmask32)1 << (2 * j);
            else words_b |= (__mmask32)1 << (2 * j);
        }
        // The second run's origin, moved back so lane j reads it at j * stride; unused with one run.
        const ptrdiff_t a_at = p[0], b_at = split < 16 ? p[split] - split * stride : p[0];
        uint8_t *out = packed + group * depth4 * 64;
        for (ptrdiff_t kg = 0; kg < depth4; kg++, out += 64) {
            __m128i r[4];
            for (int q = 0; q < 4; q++) {
                const uint8_t *s = source + k_offsets[kg * 4 + q];
                r[q] = row16(s + a_at, s + b_at, stride, first, words_a, words_b);
            }
            __m128i words[4];
            octet_interleave4x16(r, words);
            for (int v = 0; v < 4; v++) _mm_storeu_si128((__m128i *)(out + v * 16), words[v]);
        }
    }
}

#else

void octet_i8_pack_gather_avx512(const uint8_t *source, const ptrdiff_t *k_offsets, const ptrdiff_t *p_offsets,
                                 ptrdiff_t depth4, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed) {
    octet_i8_pack_gather(source, k_offsets, p_offsets, depth4, group_begin, group_end, packed);
}

#endif
