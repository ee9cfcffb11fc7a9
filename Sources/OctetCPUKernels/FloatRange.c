#include "OctetQuantize.h"

// The portable loop, and the AVX-512 loop's tail and lane reduction: plain comparisons, which NaN fails.
static int range_from(const float *values, ptrdiff_t start, ptrdiff_t count, float *lo, float *hi, int nan) {
    float l = *lo, h = *hi;
    for (ptrdiff_t i = start; i < count; i++) {
        float v = values[i];
        l = v < l ? v : l;
        h = v > h ? v : h;
        nan |= v != v;
    }
    *lo = l;
    *hi = h;
    return nan;
}

#if defined(__x86_64__)
#include <immintrin.h>

// vminps/vmaxps return their second operand unless the first is smaller (larger), NaN included: the same
// choice as `v < lo ? v : lo`.
__attribute__((target("avx512f"))) static int range_avx512(const float *values, ptrdiff_t count, float *lo,
                                                           float *hi) {
    __m512 l = _mm512_set1_ps(*lo), h = _mm512_set1_ps(*hi);
    __mmask16 nan = 0;
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 v = _mm512_loadu_ps(values + i);
        l = _mm512_min_ps(v, l);
        h = _mm512_max_ps(v, h);
        nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    }
    float ls[16], hs[16];
    _mm512_storeu_ps(ls, l);
    _mm512_storeu_ps(hs, h);
    float lane_lo = *lo, lane_hi = *hi;
    for (int k = 0; k < 16; k++) {
        lane_lo = ls[k] < lane_lo ? ls[k] : lane_lo;
        lane_hi = hs[k] > lane_hi ? hs[k] : lane_hi;
    }
    *lo = lane_lo;
    *hi = lane_hi;
    return range_from(values, i, count, lo, hi, nan != 0);
}
#endif

int octet_float_range(const float *values, ptrdiff_t count, float *lo, float *hi, int avx512) {
#if defined(__x86_64__)
    if (avx512) return range_avx512(values, count, lo, hi);
#else
    (void)avx512;
#endif
    return range_from(values, 0, count, lo, hi, 0);
}
