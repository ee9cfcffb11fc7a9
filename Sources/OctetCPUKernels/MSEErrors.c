#include <math.h>
#include "OctetQuantize.h"

// A multiply and an add kept apart: a fused one would round once, and the AVX-512 path rounds twice.
#pragma clang fp contract(off)

static double term(double x, double w, double scale, double levels) {
    double r = nearbyint(x / scale); // round half to even in the default rounding mode
    double q = (r < levels ? r : levels) * scale;
    double d = x - q;
    return w * (d * d);
}

static double errors_scalar_from(const double *x, const double *w, ptrdiff_t start, ptrdiff_t n, double scale,
                                 double levels, double lanes[8]) {
    for (ptrdiff_t k = start; k < n; k++) lanes[k & 7] += term(x[k], w[k], scale, levels);
    double sum = 0;
    for (int l = 0; l < 8; l++) sum += lanes[l];
    return sum;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static double errors_avx512(const double *x, const double *w, ptrdiff_t n,
                                                               double scale, double levels) {
    const __m512d vs = _mm512_set1_pd(scale), vl = _mm512_set1_pd(levels);
    __m512d acc = _mm512_setzero_pd();
    ptrdiff_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m512d xv = _mm512_loadu_pd(x + k);
        __m512d r = _mm512_roundscale_pd(_mm512_div_pd(xv, vs), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        // min(r, levels) as the scalar path's (r < levels ? r : levels)
        __m512d q = _mm512_mul_pd(_mm512_mask_blend_pd(_mm512_cmp_pd_mask(r, vl, _CMP_LT_OQ), vl, r), vs);
        __m512d d = _mm512_sub_pd(xv, q);
        acc = _mm512_add_pd(acc, _mm512_mul_pd(_mm512_loadu_pd(w + k), _mm512_mul_pd(d, d)));
    }
    double lanes[8];
    _mm512_storeu_pd(lanes, acc);
    return errors_scalar_from(x, w, k, n, scale, levels, lanes);
}
#endif

void octet_mse_errors(const double *magnitudes, const double *weights, ptrdiff_t n, double levels,
                      const double *thresholds, ptrdiff_t count, double *errors, int avx512) {
    for (ptrdiff_t r = 0; r < count; r++) {
        double scale = thresholds[r] / levels;
#if defined(__x86_64__)
        if (avx512) {
            errors[r] = errors_avx512(magnitudes, weights, n, scale, levels);
            continue;
        }
#else
        (void)avx512;
#endif
        double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        errors[r] = errors_scalar_from(magnitudes, weights, 0, n, scale, levels, lanes);
    }
}
