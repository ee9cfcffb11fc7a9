#include "OctetCPUKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

AVX512 static inline void store16(float *out, __m512 v, ptrdiff_t valid, int clamp, __m512 lo, __m512 hi) {
    // max(lo, x) and min(hi, x) return x when x is NaN (the second operand wins on unordered).
    if (clamp) v = _mm512_min_ps(hi, _mm512_max_ps(lo, v));
    __mmask16 mask = valid >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
    _mm512_mask_storeu_ps(out, mask, v);
}

// The AVX2 kernel's loop with 16 outputs per step: half the instructions per output on the wide planes
// (112, 56 and 28 columns) that hold most of a depthwise network's work.
AVX512 void octet_depthwise_plane_avx512(const float *padded, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                         ptrdiff_t taps, const float *weights, float bias, float *out,
                                         ptrdiff_t out_height, ptrdiff_t out_width, int clamp, float lower,
                                         float upper) {
    const __m512 lo = _mm512_set1_ps(lower), hi = _mm512_set1_ps(upper), b = _mm512_set1_ps(bias);
    if (taps == 9) {
        const __m512 w0 = _mm512_set1_ps(weights[0]), w1 = _mm512_set1_ps(weights[1]), w2 = _mm512_set1_ps(weights[2]);
        const __m512 w3 = _mm512_set1_ps(weights[3]), w4 = _mm512_set1_ps(weights[4]), w5 = _mm512_set1_ps(weights[5]);
        const __m512 w6 = _mm512_set1_ps(weights[6]), w7 = _mm512_set1_ps(weights[7]), w8 = _mm512_set1_ps(weights[8]);
        const ptrdiff_t o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3], o4 = offsets[4];
        const ptrdiff_t o5 = offsets[5], o6 = offsets[6], o7 = offsets[7], o8 = offsets[8];
        for (ptrdiff_t oy = 0; oy < out_height; oy++) {
            const float *row = padded + oy * row_step;
            float *target = out + oy * out_width;
            for (ptrdiff_t ox = 0; ox < out_width; ox += 16) {
                const float *p = row + ox;
                __m512 a = _mm512_fmadd_ps(w0, _mm512_loadu_ps(p + o0), b);
                __m512 c = _mm512_mul_ps(w1, _mm512_loadu_ps(p + o1));
                a = _mm512_fmadd_ps(w2, _mm512_loadu_ps(p + o2), a);
                c = _mm512_fmadd_ps(w3, _mm512_loadu_ps(p + o3), c);
                a = _mm512_fmadd_ps(w4, _mm512_loadu_ps(p + o4), a);
                c = _mm512_fmadd_ps(w5, _mm512_loadu_ps(p + o5), c);
                a = _mm512_fmadd_ps(w6, _mm512_loadu_ps(p + o6), a);
                c = _mm512_fmadd_ps(w7, _mm512_loadu_ps(p + o7), c);
                a = _mm512_fmadd_ps(w8, _mm512_loadu_ps(p + o8), a);
                store16(target + ox, _mm512_add_ps(a, c), out_width - ox, clamp, lo, hi);
            }
        }
        return;
    }
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {
        const float *row = padded + oy * row_step;
        float *target = out + oy * out_width;
        for (ptrdiff_t ox = 0; ox < out_width; ox += 16) {
            __m512 a = b;
            for (ptrdiff_t t = 0; t < taps; t++) {
                a = _mm512_fmadd_ps(_mm512_set1_ps(weights[t]), _mm512_loadu_ps(row + ox + offsets[t]), a);
            }
            store16(target + ox, a, out_width - ox, clamp, lo, hi);
        }
    }
}

// Even elements of 32 consecutive floats: the column phase 0 of a stride-2 row in one permute. The last
// step's loads and store are masked, so it reads src[0 ..< 2 * count - 1] and writes dst[0 ..< count] only.
AVX512 static void copy_stride2_avx512(const float *src, ptrdiff_t count, float *dst) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (ptrdiff_t i = 0; i < count; i += 16) {
        ptrdiff_t n = count - i < 16 ? count - i : 16, need = 2 * n - 1;
        __mmask16 ma = need >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << need) - 1);
        __mmask16 mb = need > 16 ? (__mmask16)((1u << (need - 16)) - 1) : 0;
        __m512 a = _mm512_maskz_loadu_ps(ma, src + 2 * i), b = _mm512_maskz_loadu_ps(mb, src + 2 * i + 16);
        _mm512_mask_storeu_ps(dst + i, n == 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1),
                              _mm512_permutex2var_ps(a, even, b));
    }
}

#endif

void octet_copy_rows_strided(const float *src, ptrdiff_t src_row_step, ptrdiff_t stride, ptrdiff_t count,
                             ptrdiff_t rows, float *dst, ptrdiff_t dst_row_step, int avx512) {
    if (count <= 0) return;
    for (ptrdiff_t r = 0; r < rows; r++, src += src_row_step, dst += dst_row_step) {
        if (stride == 1) {
            memcpy(dst, src, (size_t)count * sizeof(float));
            continue;
        }
#if defined(__x86_64__)
        if (stride == 2 && avx512) {
            copy_stride2_avx512(src, count, dst);
            continue;
        }
#else
        (void)avx512;
#endif
        for (ptrdiff_t i = 0; i < count; i++) dst[i] = src[i * stride];
    }
}

#if !defined(__x86_64__)

void octet_depthwise_plane_avx512(const float *padded, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                  ptrdiff_t taps, const float *weights, float bias, float *out,
                                  ptrdiff_t out_height, ptrdiff_t out_width, int clamp, float lower, float upper) {
    // Unreachable: octet_cpu_has_avx512f() is 0 here, and callers check it first.
    (void)padded; (void)row_step; (void)offsets; (void)taps; (void)weights; (void)bias; (void)out;
    (void)out_height; (void)out_width; (void)clamp; (void)lower; (void)upper;
    __builtin_trap();
}

#endif
