#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "OctetQuantize.h"

// Every path rounds each multiply and add on its own: no fused multiply-add, so the bits do not depend on
// the instructions the compiler or the CPU picks.
#pragma clang fp contract(off)

// The natural logarithm by fdlibm's method: x = 2^k * m with m in [sqrt(2)/2, sqrt(2)), f = m - 1,
// s = f / (2 + f), log(m) = f - f^2/2 + s * (f^2/2 + R(s^2)) with its degree-14 minimax polynomial R, and
// k * ln 2 added in two parts. Under one unit in the last place, and written once for scalars and once for
// eight lanes with the same operations in the same order, so both give the same bits.
static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
static const double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01,
                    lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01,
                    lg7 = 1.479819860511658591e-01;

double octet_log(double x) {
    if (!(x >= DBL_MIN && x <= DBL_MAX)) return log(x); // zero, subnormal, negative, inf, NaN: rare, libm's
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    uint64_t hx = (u >> 32) + (0x3ff00000 - 0x3fe6a09e);
    int64_t k = (int64_t)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffff) + 0x3fe6a09e;
    u = hx << 32 | (u & 0xffffffff);
    double m;
    memcpy(&m, &u, sizeof m);
    double f = m - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (lg2 + w * (lg4 + w * lg6));
    double t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    double r = t2 + t1;
    double dk = (double)(int32_t)k;
    return s * (hfsq + r) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

#if defined(__x86_64__)
#include <immintrin.h>

// octet_log on eight lanes; every lane must be a positive normal number.
__attribute__((target("avx512f"))) static __m512d log8(__m512d x) {
    __m512i u = _mm512_castpd_si512(x);
    __m512i hx = _mm512_add_epi64(_mm512_srli_epi64(u, 32), _mm512_set1_epi64(0x3ff00000 - 0x3fe6a09e));
    __m512i k = _mm512_sub_epi64(_mm512_srli_epi64(hx, 20), _mm512_set1_epi64(0x3ff));
    hx = _mm512_add_epi64(_mm512_and_si512(hx, _mm512_set1_epi64(0x000fffff)), _mm512_set1_epi64(0x3fe6a09e));
    u = _mm512_or_si512(_mm512_slli_epi64(hx, 32), _mm512_and_si512(u, _mm512_set1_epi64(0xffffffff)));
    __m512d f = _mm512_sub_pd(_mm512_castsi512_pd(u), _mm512_set1_pd(1.0));
    __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), f), f);
    __m512d s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
    __m512d z = _mm512_mul_pd(s, s);
    __m512d w = _mm512_mul_pd(z, z);
#define MA(a, b, c) _mm512_add_pd(_mm512_set1_pd(a), _mm512_mul_pd(b, c))
    __m512d t1 = _mm512_mul_pd(w, MA(lg2, w, MA(lg4, w, _mm512_set1_pd(lg6))));
    __m512d t2 = _mm512_mul_pd(z, MA(lg1, w, MA(lg3, w, MA(lg5, w, _mm512_set1_pd(lg7)))));
#undef MA
    __m512d r = _mm512_add_pd(t2, t1);
    __m512d dk = _mm512_cvtepi32_pd(_mm512_cvtepi64_epi32(k));
    __m512d out = _mm512_add_pd(_mm512_mul_pd(s, _mm512_add_pd(hfsq, r)), _mm512_mul_pd(dk, _mm512_set1_pd(ln2_lo)));
    out = _mm512_add_pd(_mm512_sub_pd(out, hfsq), f);
    return _mm512_add_pd(out, _mm512_mul_pd(dk, _mm512_set1_pd(ln2_hi)));
}

// logs[i] = octet_log(values[i]) for n <= 8 values, eight at once when all are positive normal numbers.
__attribute__((target("avx512f"))) static void logs_avx512(const double *values, ptrdiff_t n, double *logs) {
    if (n == 8) {
        __m512d x = _mm512_loadu_pd(values);
        __mmask8 normal = _mm512_cmp_pd_mask(x, _mm512_set1_pd(DBL_MIN), _CMP_GE_OQ) &
                          _mm512_cmp_pd_mask(x, _mm512_set1_pd(DBL_MAX), _CMP_LE_OQ);
        if (normal == 0xff) {
            _mm512_storeu_pd(logs, log8(x));
            return;
        }
    }
    for (ptrdiff_t i = 0; i < n; i++) logs[i] = octet_log(values[i]);
}
#endif

static void logs_of(const double *values, ptrdiff_t n, double *logs, int avx512) {
#if defined(__x86_64__)
    if (avx512) {
        logs_avx512(values, n, logs);
        return;
    }
#else
    (void)avx512;
#endif
    for (ptrdiff_t i = 0; i < n; i++) logs[i] = octet_log(values[i]);
}

void octet_logs(const double *values, ptrdiff_t count, double *logs, int avx512) {
    for (ptrdiff_t i = 0; i < count; i += 8) logs_of(values + i, count - i < 8 ? count - i : 8, logs + i, avx512);
}

// The divergence's terms once every bin's p, log p and log q are known, summed in eight running sums by bin
// index mod 8, then added in lane order: the portable loop, and the AVX-512 loop's tail.
static double kl_terms_from(const double *pv, const double *pp, const double *lg, const double *lqb, ptrdiff_t start,
                            ptrdiff_t m, double empty_term, double lanes[8]) {
    for (ptrdiff_t k = start; k < m; k++) lanes[k & 7] += pv[k] == 0 ? empty_term : pp[k] * (lg[k] - lqb[k]);
    double sum = 0;
    for (int l = 0; l < 8; l++) sum += lanes[l];
    return sum;
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static double kl_terms_avx512(const double *pv, const double *pp, const double *lg,
                                                                 const double *lqb, ptrdiff_t m, double empty_term) {
    __m512d acc = _mm512_setzero_pd();
    const __m512d empty = _mm512_set1_pd(empty_term);
    ptrdiff_t k = 0;
    for (; k + 8 <= m; k += 8) {
        __mmask8 zero = _mm512_cmp_pd_mask(_mm512_loadu_pd(pv + k), _mm512_setzero_pd(), _CMP_EQ_OQ);
        __m512d t = _mm512_mul_pd(_mm512_loadu_pd(pp + k), _mm512_sub_pd(_mm512_loadu_pd(lg + k), _mm512_loadu_pd(lqb + k)));
        acc = _mm512_add_pd(acc, _mm512_mask_blend_pd(zero, t, empty));
    }
    double lanes[8];
    _mm512_storeu_pd(lanes, acc);
    return kl_terms_from(pv, pp, lg, lqb, k, m, empty_term, lanes);
}
#endif

// pp[k] = (pv[k] - p_eps1) / p_total, or 1 where pv[k] is 0 (its log is not used); false when a non-zero pv[k]
// is not above p_eps1.
static int normalised_p_from(const double *pv, ptrdiff_t start, ptrdiff_t m, double p_eps1, double p_total,
                             double *pp) {
    for (ptrdiff_t k = start; k < m; k++) {
        double p_smoothed = pv[k] - p_eps1;
        if (pv[k] != 0 && !(p_smoothed > 0)) return 0;
        pp[k] = pv[k] == 0 ? 1.0 : p_smoothed / p_total;
    }
    return 1;
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static int normalised_p_avx512(const double *pv, ptrdiff_t m, double p_eps1,
                                                                  double p_total, double *pp) {
    const __m512d eps1 = _mm512_set1_pd(p_eps1), total = _mm512_set1_pd(p_total), one = _mm512_set1_pd(1.0);
    ptrdiff_t k = 0;
    for (; k + 8 <= m; k += 8) {
        __m512d v = _mm512_loadu_pd(pv + k);
        __mmask8 nonzero = _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_NEQ_UQ);
        __m512d smoothed = _mm512_sub_pd(v, eps1);
        if (nonzero & ~_mm512_cmp_pd_mask(smoothed, _mm512_setzero_pd(), _CMP_GT_OQ)) return 0;
        _mm512_storeu_pd(pp + k, _mm512_mask_blend_pd(nonzero, one, _mm512_div_pd(smoothed, total)));
    }
    return normalised_p_from(pv, k, m, p_eps1, p_total, pp);
}
#endif

static int normalised_p(const double *pv, ptrdiff_t m, double p_eps1, double p_total, double *pp, int avx512) {
#if defined(__x86_64__)
    if (avx512) return normalised_p_avx512(pv, m, p_eps1, p_total, pp);
#else
    (void)avx512;
#endif
    return normalised_p_from(pv, 0, m, p_eps1, p_total, pp);
}

double octet_kl_smoothed_divergence(const double *inside, ptrdiff_t m, double first, double last,
                                    const double *group_values, ptrdiff_t nq, ptrdiff_t q_zeros, double q_sum,
                                    double p_total, double p_eps1, double eps, double *scratch, int avx512) {
    ptrdiff_t merged = m / nq;
    ptrdiff_t q_nonzeros = m - q_zeros;
    if (q_nonzeros <= 0 || m < 1 || nq < 1) return INFINITY;
    double q_eps1 = eps * (double)q_zeros / (double)q_nonzeros;
    // Smoothing moves eps onto each zero and takes it evenly from the non-zeros, so sums are unchanged.
    double q_total = q_sum;
    double empty_p = eps / p_total;
    double empty_term = empty_p * (octet_log(empty_p) - octet_log(eps / q_total));
    // Every bin's p, p normalised, its log and its group's log q, then the terms: each step a plain loop over
    // the bins, so the logs and the sums go eight at a time whatever the groups' width.
    double *pv = scratch;
    double *pp = pv + m, *lg = pp + m, *lqb = lg + m, *qs = lqb + m, *lq = qs + nq;
    double kl = INFINITY;
    if (m > 2) memcpy(pv + 1, inside + 1, (size_t)(m - 2) * sizeof(double));
    pv[0] = first;
    pv[m - 1] = last;
    if (!normalised_p(pv, m, p_eps1, p_total, pp, avx512)) goto done;
    for (ptrdiff_t j = 0; j < nq; j++) {
        double qv = group_values[j];
        double q_smoothed = qv == 0 ? eps : qv - q_eps1;
        if (!(q_smoothed > 0)) goto done;
        qs[j] = q_smoothed / q_total;
    }
    octet_logs(pp, m, lg, avx512);
    octet_logs(qs, nq, lq, avx512);
    for (ptrdiff_t j = 0; j < nq; j++) {
        ptrdiff_t s = j * merged, e = j == nq - 1 ? m : s + merged;
        for (ptrdiff_t k = s; k < e; k++) lqb[k] = lq[j];
    }
#if defined(__x86_64__)
    if (avx512) {
        kl = kl_terms_avx512(pv, pp, lg, lqb, m, empty_term);
        goto done;
    }
#endif
    {
        double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        kl = kl_terms_from(pv, pp, lg, lqb, 0, m, empty_term, lanes);
    }
done:
    return kl;
}
