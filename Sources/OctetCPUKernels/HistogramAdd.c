#include "OctetCPUKernels.h"

// The portable loop, and the AVX-512 loop's tail: each bin in double, add then multiply then truncate.
static ptrdiff_t add_scalar(const float *values, ptrdiff_t count, double limit, double scale, ptrdiff_t bins,
                            double *counts) {
    ptrdiff_t zeros = 0;
    for (ptrdiff_t i = 0; i < count; i++) {
        float v = values[i];
        if (v == 0) {
            zeros++;
            continue;
        }
        double t = ((double)v + limit) * scale;
        ptrdiff_t b = (ptrdiff_t)t;
        counts[b >= bins ? bins - 1 : b < 0 ? 0 : b] += 1;
    }
    return zeros;
}

#if defined(__x86_64__)
#include <immintrin.h>

// Eight values a step: their bins computed in double exactly as the scalar loop computes them (add, then
// multiply, then truncate: two roundings, no FMA), then counted one by one.
__attribute__((target("avx512f"))) static ptrdiff_t add_avx512(const float *values, ptrdiff_t count, double limit,
                                                               double scale, ptrdiff_t bins, double *counts) {
    const __m512d vlimit = _mm512_set1_pd(limit), vscale = _mm512_set1_pd(scale);
    const __m256i last = _mm256_set1_epi32((int)(bins - 1)), first = _mm256_setzero_si256();
    ptrdiff_t zeros = 0, i = 0;
    int index[8];
    for (; i + 8 <= count; i += 8) {
        __m512d x = _mm512_cvtps_pd(_mm256_loadu_ps(values + i));
        __mmask8 zero = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_EQ_OQ);
        __m512d t = _mm512_mul_pd(_mm512_add_pd(x, vlimit), vscale);
        __m256i b = _mm256_min_epi32(_mm256_max_epi32(_mm512_cvttpd_epi32(t), first), last);
        _mm256_storeu_si256((__m256i *)index, b);
        zeros += __builtin_popcount(zero);
        for (int k = 0; k < 8; k++) {
            if (!(zero >> k & 1)) counts[index[k]] += 1;
        }
    }
    return zeros + add_scalar(values + i, count - i, limit, scale, bins, counts);
}

#endif

ptrdiff_t octet_histogram_add(const float *values, ptrdiff_t count, double limit, double scale, ptrdiff_t bins,
                              double *counts, int avx512) {
#if defined(__x86_64__)
    if (avx512) return add_avx512(values, count, limit, scale, bins, counts);
#else
    (void)avx512;
#endif
    return add_scalar(values, count, limit, scale, bins, counts);
}
