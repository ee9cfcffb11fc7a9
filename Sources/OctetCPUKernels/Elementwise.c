#include "OctetCPUKernels.h"

// Float Add, Sub, Mul, Div over arrays or one value, with an optional clamp: the fast elementwise kernels'
// inner loops. Clamps compare rather than use min/max, whose NaN rule would replace a NaN by the bound.

static inline float portable_op(int op, float a, float b) {
    switch (op) {
    case OCTET_F32_ADD: return a + b;
    case OCTET_F32_SUB: return a - b;
    case OCTET_F32_MUL: return a * b;
    default: return a / b;
    }
}

static inline float portable_clamp(float v, float lo, float hi) {
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return v;
}

// One copy per operation and operand shape (constants after inlining), so the loop carries no branch.
static inline __attribute__((always_inline)) void portable_loop(const int op, const float *x, const int x_one,
                                                                const float *y, const int y_one, float *out,
                                                                ptrdiff_t n, int clamp, float lo, float hi) {
    const float xv = x_one ? x[0] : 0, yv = y_one ? y[0] : 0;
    if (clamp) {
        for (ptrdiff_t i = 0; i < n; i++)
            out[i] = portable_clamp(portable_op(op, x_one ? xv : x[i], y_one ? yv : y[i]), lo, hi);
    } else {
        for (ptrdiff_t i = 0; i < n; i++) out[i] = portable_op(op, x_one ? xv : x[i], y_one ? yv : y[i]);
    }
}

#define SHAPES(LOOP, OP)                                                                                     \
    do {                                                                                                     \
        if (x_one) LOOP(OP, x, 1, y, 0, out, n, clamp, lo, hi);                                              \
        else if (y_one) LOOP(OP, x, 0, y, 1, out, n, clamp, lo, hi);                                         \
        else LOOP(OP, x, 0, y, 0, out, n, clamp, lo, hi);                                                    \
    } while (0)

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

AVX512 static inline __attribute__((always_inline)) __m512 vector_op(const int op, __m512 a, __m512 b) {
    switch (op) {
    case OCTET_F32_ADD: return _mm512_add_ps(a, b);
    case OCTET_F32_SUB: return _mm512_sub_ps(a, b);
    case OCTET_F32_MUL: return _mm512_mul_ps(a, b);
    default: return _mm512_div_ps(a, b);
    }
}

AVX512 static inline __attribute__((always_inline)) void avx512_loop(const int op, const float *x, const int x_one,
                                                                     const float *y, const int y_one, float *out,
                                                                     ptrdiff_t n, const int clamp, float lo, float hi) {
    const __m512 xv = _mm512_set1_ps(x_one ? x[0] : 0), yv = _mm512_set1_ps(y_one ? y[0] : 0);
    const __m512 l = _mm512_set1_ps(lo), h = _mm512_set1_ps(hi);
    for (ptrdiff_t i = 0; i < n; i += 16) {
        const __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        const __m512 a = x_one ? xv : _mm512_maskz_loadu_ps(m, x + i);
        const __m512 b = y_one ? yv : _mm512_maskz_loadu_ps(m, y + i);
        __m512 v = vector_op(op, a, b);
        if (clamp) {
            v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, l, _CMP_LT_OQ), l);
            v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, h, _CMP_GT_OQ), h);
        }
        _mm512_mask_storeu_ps(out + i, m, v);
    }
}

AVX512 static void avx512_binary(int op, const float *x, int x_one, const float *y, int y_one, float *out,
                                 ptrdiff_t n, int clamp, float lo, float hi) {
    switch (op) {
    case OCTET_F32_ADD: SHAPES(avx512_loop, OCTET_F32_ADD); break;
    case OCTET_F32_SUB: SHAPES(avx512_loop, OCTET_F32_SUB); break;
    case OCTET_F32_MUL: SHAPES(avx512_loop, OCTET_F32_MUL); break;
    default: SHAPES(avx512_loop, OCTET_F32_DIV); break;
    }
}
#endif

void octet_f32_binary(int op, const float *x, int x_one, const float *y, int y_one, float *out, ptrdiff_t n,
                      int clamp, float lo, float hi, int avx512) {
#if defined(__x86_64__)
    if (avx512) {
        avx512_binary(op, x, x_one, y, y_one, out, n, clamp, lo, hi);
        return;
    }
#else
    (void)avx512;
#endif
    switch (op) {
    case OCTET_F32_ADD: SHAPES(portable_loop, OCTET_F32_ADD); break;
    case OCTET_F32_SUB: SHAPES(portable_loop, OCTET_F32_SUB); break;
    case OCTET_F32_MUL: SHAPES(portable_loop, OCTET_F32_MUL); break;
    default: SHAPES(portable_loop, OCTET_F32_DIV); break;
    }
}
