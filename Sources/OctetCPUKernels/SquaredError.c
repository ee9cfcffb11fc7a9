#include "OctetQuantize.h"

// Products and sums rounded one by one: no fused multiply-add, so every path gives the same bits.
#pragma clang fp contract(off)

static void sums_from(const float *got, const float *want, ptrdiff_t start, ptrdiff_t n, double error[8],
                      double energy[8], double *error_sum, double *energy_sum) {
    for (ptrdiff_t i = start; i < n; i++) {
        double d = (double)got[i] - (double)want[i];
        error[i & 7] += d * d;
        energy[i & 7] += (double)want[i] * (double)want[i];
    }
    double e = 0, w = 0;
    for (int l = 0; l < 8; l++) {
        e += error[l];
        w += energy[l];
    }
    *error_sum = e;
    *energy_sum = w;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static void sums_avx512(const float *got, const float *want, ptrdiff_t n,
                                                           double *error_sum, double *energy_sum) {
    __m512d error = _mm512_setzero_pd(), energy = _mm512_setzero_pd();
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m512d g = _mm512_cvtps_pd(_mm256_loadu_ps(got + i)), w = _mm512_cvtps_pd(_mm256_loadu_ps(want + i));
        __m512d d = _mm512_sub_pd(g, w);
        error = _mm512_add_pd(error, _mm512_mul_pd(d, d));
        energy = _mm512_add_pd(energy, _mm512_mul_pd(w, w));
    }
    double e[8], w[8];
    _mm512_storeu_pd(e, error);
    _mm512_storeu_pd(w, energy);
    sums_from(got, want, i, n, e, w, error_sum, energy_sum);
}
#endif

void octet_squared_error(const float *got, const float *want, ptrdiff_t count, double *error, double *energy,
                         int avx512) {
#if defined(__x86_64__)
    if (avx512) {
        sums_avx512(got, want, count, error, energy);
        return;
    }
#else
    (void)avx512;
#endif
    double e[8] = {0, 0, 0, 0, 0, 0, 0, 0}, w[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    sums_from(got, want, 0, count, e, w, error, energy);
}
