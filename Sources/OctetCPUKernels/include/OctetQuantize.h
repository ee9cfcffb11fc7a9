#ifndef OCTET_QUANTIZE_H
#define OCTET_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = saturate(round_half_even(x[i] / scale) + zero_point) as uint8 bytes, then ^ flip (flip 0x80
/// stores int8: the uint8 range [0, 255] with zero point + 128 is the int8 range moved). NaN becomes the zero
/// point. `avx2` nonzero uses AVX2 (only when octet_cpu_has_avx2_fma() is 1); otherwise portable C.
void octet_quantize_u8(const float *x, uint8_t *out, ptrdiff_t count, float scale, int32_t zero_point, uint8_t flip,
                       int avx2);

/// A calibration histogram's counting loop: for each finite value v (|v| <= limit), exact zeros are
/// counted and returned; every other value adds 1 to counts[clamp(trunc((double(v) + limit) * scale), 0,
/// bins - 1)], computed with the same two roundings in every path. `avx512` nonzero (only when
/// octet_cpu_has_avx512f() is 1) computes eight bins at a time.
ptrdiff_t octet_histogram_add(const float *values, ptrdiff_t count, double limit, double scale, ptrdiff_t bins,
                              double *counts, int avx512);

/// The MSE calibrator's squared rounding-and-clipping error for `count` thresholds at once: for each
/// threshold t = thresholds[r] (scale s = t / levels) the sum over k of
/// weights[k] * (x[k] - min(round_half_even(x[k] / s), levels) * s)^2 for the `n` non-negative magnitudes x.
/// The terms go into eight running sums by k mod 8, added in lane order at the end, with no fused multiply-add,
/// so every path gives the same bits. `avx512` nonzero (only when octet_cpu_has_avx512f() is 1) takes eight
/// magnitudes a step.
void octet_mse_errors(const double *magnitudes, const double *weights, ptrdiff_t n, double levels,
                      const double *thresholds, ptrdiff_t count, double *errors, int avx512);

/// Folds values into *lo and *hi (start them at +inf and -inf) by plain comparisons, which NaN never wins:
/// the smallest and largest non-NaN values. Returns 1 when a NaN was seen. `avx512` nonzero (only when
/// octet_cpu_has_avx512f() is 1) takes sixteen at a time; the result is the same.
int octet_float_range(const float *values, ptrdiff_t count, float *lo, float *hi, int avx512);

/// error = sum (got[i] - want[i])^2 and energy = sum want[i]^2, in double: element i into running sum i mod 8,
/// the eight added in order at the end, so every path gives the same bits. `avx512` nonzero (only when
/// octet_cpu_has_avx512f() is 1) takes eight at a time.
void octet_squared_error(const float *got, const float *want, ptrdiff_t count, double *error, double *energy,
                         int avx512);

/// The natural logarithm, under one unit in the last place, with the same bits on every CPU and in every
/// path below (fdlibm's reduction and polynomial; libm's log for zero, subnormal, negative, inf and NaN).
double octet_log(double x);

/// logs[i] = octet_log(values[i]); `avx512` nonzero (only when octet_cpu_has_avx512f() is 1) takes eight at a
/// time, with the same bits.
void octet_logs(const double *values, ptrdiff_t count, double *logs, int avx512);

/// The KL calibrator's divergence of one candidate once p's zeros and q's groups are counted: p is
/// first, inside[1 ... m - 2], last (m bins; inside[0] and inside[m - 1] are not read); q is `nq` groups of
/// m / nq bins (the last takes the rest), each bin the group's value. Both are smoothed (zeros get eps,
/// taken evenly from the non-zeros: p_eps1 and the q side's from q_zeros), normalised by p_total and q_sum,
/// and KL(p || q) is summed with octet_log, bin k's term into running sum k mod 8, the eight added in order at
/// the end (the same bits on every path). Infinity when a smoothed value is not positive or q has no non-zero
/// bin. `scratch` holds 4 m + 2 nq doubles. `avx512` nonzero only when octet_cpu_has_avx512f() is 1.
double octet_kl_smoothed_divergence(const double *inside, ptrdiff_t m, double first, double last,
                                    const double *group_values, ptrdiff_t nq, ptrdiff_t q_zeros, double q_sum,
                                    double p_total, double p_eps1, double eps, double *scratch, int avx512);

#ifdef __cplusplus
}
#endif

#endif
