#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

// Lane masks for the last, partial vector of an output row: the first n lanes set.
static const int lane_masks[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

AVX2 static inline void store(float *out, __m256 v, ptrdiff_t valid, int clamp, __m256 lo, __m256 hi) {
    // max(lo, x) and min(hi, x) return x when x is NaN (the second operand wins on unordered).
    if (clamp) v = _mm256_min_ps(hi, _mm256_max_ps(lo, v));
    if (valid >= 8) {
        _mm256_storeu_ps(out, v);
    } else {
        _mm256_maskstore_ps(out, _mm256_loadu_si256((const __m256i *)(lane_masks + 8 - valid)), v);
    }
}

AVX2 void octet_depthwise_plane_avx2(const float *padded, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                     ptrdiff_t taps, const float *weights, float bias, float *out,
                                     ptrdiff_t out_height, ptrdiff_t out_width, int clamp, float lower, float upper) {
    const __m256 lo = _mm256_set1_ps(lower), hi = _mm256_set1_ps(upper), b = _mm256_set1_ps(bias);
    if (taps == 9) {
        // 3x3, the common case: nine weights and nine offsets in registers. Each step's chain of nine FMAs
        // is independent of the next step's, so out-of-order execution overlaps them.
        const __m256 w0 = _mm256_set1_ps(weights[0]), w1 = _mm256_set1_ps(weights[1]), w2 = _mm256_set1_ps(weights[2]);
        const __m256 w3 = _mm256_set1_ps(weights[3]), w4 = _mm256_set1_ps(weights[4]), w5 = _mm256_set1_ps(weights[5]);
        const __m256 w6 = _mm256_set1_ps(weights[6]), w7 = _mm256_set1_ps(weights[7]), w8 = _mm256_set1_ps(weights[8]);
        const ptrdiff_t o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3], o4 = offsets[4];
        const ptrdiff_t o5 = offsets[5], o6 = offsets[6], o7 = offsets[7], o8 = offsets[8];
        for (ptrdiff_t oy = 0; oy < out_height; oy++) {
            const float *row = padded + oy * row_step;
            float *target = out + oy * out_width;
            for (ptrdiff_t ox = 0; ox < out_width; ox += 8) {
                const float *p = row + ox;
                __m256 a = _mm256_fmadd_ps(w0, _mm256_loadu_ps(p + o0), b);
                __m256 c = _mm256_mul_ps(w1, _mm256_loadu_ps(p + o1));
                a = _mm256_fmadd_ps(w2, _mm256_loadu_ps(p + o2), a);
                c = _mm256_fmadd_ps(w3, _mm256_loadu_ps(p + o3), c);
                a = _mm256_fmadd_ps(w4, _mm256_loadu_ps(p + o4), a);
                c = _mm256_fmadd_ps(w5, _mm256_loadu_ps(p + o5), c);
                a = _mm256_fmadd_ps(w6, _mm256_loadu_ps(p + o6), a);
                c = _mm256_fmadd_ps(w7, _mm256_loadu_ps(p + o7), c);
                a = _mm256_fmadd_ps(w8, _mm256_loadu_ps(p + o8), a);
                store(target + ox, _mm256_add_ps(a, c), out_width - ox, clamp, lo, hi);
            }
        }
        return;
    }
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {
        const float *row = padded + oy * row_step;
        float *target = out + oy * out_width;
        for (ptrdiff_t ox = 0; ox < out_width; ox += 8) {
            __m256 a = b;
            for (ptrdiff_t t = 0; t < taps; t++) {
                a = _mm256_fmadd_ps(_mm256_broadcast_ss(weights + t), _mm256_loadu_ps(row + ox + offsets[t]), a);
            }
            store(target + ox, a, out_width - ox, clamp, lo, hi);
        }
    }
}

#else

void octet_depthwise_plane_avx2(const float *padded, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                ptrdiff_t taps, const float *weights, float bias, float *out,
                                ptrdiff_t out_height, ptrdiff_t out_width, int clamp, float lower, float upper) {
    // Unreachable: octet_cpu_has_avx2_fma() is 0 here, and callers check it first.
    (void)padded; (void)row_step; (void)offsets; (void)taps; (void)weights; (void)bias; (void)out;
    (void)out_height; (void)out_width; (void)clamp; (void)lower; (void)upper;
    __builtin_trap();
}

#endif
