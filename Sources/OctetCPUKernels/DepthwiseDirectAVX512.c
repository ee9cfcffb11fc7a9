#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline, target("avx512f")))

// Depthwise convolution read straight from the NCHW input plane, for column strides 1 and 2 (the backend
// takes it for stride 2). The row kernel first copies each plane into a zero-padded, phase-split scratch:
// one pass over the input that waits on memory, then one that computes. Here each tap's 16 inputs are one or two masked loads (the
// masked-off columns are the padding, read as zero) and, for stride 2, one permute that keeps the even
// elements, so reading the plane overlaps the arithmetic. The taps are summed in the row kernel's order,
// and a padded zero is still multiplied, so both give the same bits.

// Lanes i of a 16-wide load at column `start` that lie inside [0, width).
INLINE __mmask16 inside(ptrdiff_t start, ptrdiff_t width) {
    ptrdiff_t first = start < 0 ? -start : 0, end = width - start;
    if (end > 16) end = 16;
    if (end <= first) return 0;
    unsigned bits = end >= 16 ? 0xFFFFu : (1u << end) - 1;
    return (__mmask16)(bits & ~((1u << first) - 1));
}

// 16 inputs at columns start, start + stride, ...: one masked load (stride 1), or two and a permute that
// keeps the even elements (stride 2). Masked-off lanes read as zero and are never touched.
// `plain` promises every lane inside the plane: unmasked loads.
INLINE __m512 window(const float *p, __mmask16 lo, __mmask16 hi, const int stride2, __m512i even, const int plain) {
    if (plain) {
        __m512 a = _mm512_loadu_ps(p);
        return stride2 ? _mm512_permutex2var_ps(a, even, _mm512_loadu_ps(p + 16)) : a;
    }
    __m512 a = _mm512_maskz_loadu_ps(lo, p);
    if (!stride2) return a;
    return _mm512_permutex2var_ps(a, even, _mm512_maskz_loadu_ps(hi, p + 16));
}

// Kernel row ky's input row for output row oy, from column `origin`; one in the padding reads nothing:
// `keep` is then 0, and the pointer stays inside the plane.
INLINE const float *input_row(const OctetDepthwiseLanes *g, const float *input, ptrdiff_t oy, ptrdiff_t ky,
                              ptrdiff_t origin, __mmask16 *keep) {
    ptrdiff_t iy = oy * g->stride_y + ky * g->dilation_y - g->pad_top;
    int inside_rows = iy >= 0 && iy < g->height;
    *keep = inside_rows ? (__mmask16)0xFFFF : 0;
    return input + (inside_rows ? iy : 0) * g->width + origin;
}

// bias + every tap of the 16 outputs of row oy whose first input column is `origin`.
INLINE __m512 output_row(const OctetDepthwiseLanes *g, const float *input, ptrdiff_t oy, ptrdiff_t origin,
                         const __mmask16 *lo, const __mmask16 *hi, const __m512 *w, __m512 b, __m512i even,
                         const int stride2, const int plain) {
    const ptrdiff_t kh = g->kernel_height, kw = g->kernel_width, dx = g->dilation_x;
    __m512 a;
    // The row kernel's order: for 3x3, taps 0, 2, 4, 6, 8 on the bias and 1, 3, 5, 7 in a second chain
    // started by a product; otherwise one chain. Masks stay in locals: kept in arrays, the compiler
    // merged loads of neighbouring ones, and each then waited on a failed store forward (3x slower).
    if (kh == 3 && kw == 3) {
        __mmask16 k0, k1, k2;
        const float *r0 = input_row(g, input, oy, 0, origin, &k0);
        const float *r1 = input_row(g, input, oy, 1, origin, &k1);
        const float *r2 = input_row(g, input, oy, 2, origin, &k2);
        a = _mm512_fmadd_ps(w[0], window(r0, lo[0] & k0, hi[0] & k0, stride2, even, plain), b);
        __m512 c = _mm512_mul_ps(w[1], window(r0 + dx, lo[1] & k0, hi[1] & k0, stride2, even, plain));
        a = _mm512_fmadd_ps(w[2], window(r0 + 2 * dx, lo[2] & k0, hi[2] & k0, stride2, even, plain), a);
        c = _mm512_fmadd_ps(w[3], window(r1, lo[0] & k1, hi[0] & k1, stride2, even, plain), c);
        a = _mm512_fmadd_ps(w[4], window(r1 + dx, lo[1] & k1, hi[1] & k1, stride2, even, plain), a);
        c = _mm512_fmadd_ps(w[5], window(r1 + 2 * dx, lo[2] & k1, hi[2] & k1, stride2, even, plain), c);
        a = _mm512_fmadd_ps(w[6], window(r2, lo[0] & k2, hi[0] & k2, stride2, even, plain), a);
        c = _mm512_fmadd_ps(w[7], window(r2 + dx, lo[1] & k2, hi[1] & k2, stride2, even, plain), c);
        a = _mm512_fmadd_ps(w[8], window(r2 + 2 * dx, lo[2] & k2, hi[2] & k2, stride2, even, plain), a);
        a = _mm512_add_ps(a, c);
    } else {
        a = b;
        for (ptrdiff_t ky = 0, t = 0; ky < kh; ky++) {
            __mmask16 keep;
            const float *row = input_row(g, input, oy, ky, origin, &keep);
            for (ptrdiff_t kx = 0; kx < kw; kx++, t++) {
                __m512 x = window(row + kx * dx, lo[kx] & keep, hi[kx] & keep, stride2, even, plain);
                a = _mm512_fmadd_ps(w[t], x, a);
            }
        }
    }
    return a;
}

// Whether every kernel row of output row oy lies inside the plane.
INLINE int rows_inside(const OctetDepthwiseLanes *g, ptrdiff_t oy) {
    ptrdiff_t first = oy * g->stride_y - g->pad_top, last = first + (g->kernel_height - 1) * g->dilation_y;
    return first >= 0 && last < g->height;
}

// One column block of 16 outputs down the whole plane. Column masks depend on the block and the tap's
// column only, so they are computed once here; a row in the padding clears them.
INLINE void column_block(const OctetDepthwiseLanes *g, const float *input, const __m512 *w, __m512 b,
                         ptrdiff_t ox, float *out, const int stride2) {
    const ptrdiff_t width = g->width, kh = g->kernel_height, kw = g->kernel_width;
    const ptrdiff_t origin = ox * g->stride_x - g->pad_left, dx = g->dilation_x;
    __mmask16 lo[64], hi[64];
#pragma clang loop vectorize(disable)
    for (ptrdiff_t kx = 0; kx < kw; kx++) {
        lo[kx] = inside(origin + kx * dx, width);
        hi[kx] = stride2 ? inside(origin + kx * dx + 16, width) : 0;
    }
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512 lower = _mm512_set1_ps(g->lower), upper = _mm512_set1_ps(g->upper);
    const ptrdiff_t valid = g->out_width - ox;
    const int columns_inside = origin >= 0 && origin + (kw - 1) * dx + (stride2 ? 32 : 16) <= width;
    const __mmask16 store = valid >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
    for (ptrdiff_t oy = 0; oy < g->out_height; oy++) {
        __m512 a = rows_inside(g, oy) && columns_inside
                       ? output_row(g, input, oy, origin, lo, hi, w, b, even, stride2, 1)
                       : output_row(g, input, oy, origin, lo, hi, w, b, even, stride2, 0);
        // max(lo, x) and min(hi, x) return x when x is NaN (the second operand wins on unordered).
        if (g->clamp) a = _mm512_min_ps(upper, _mm512_max_ps(lower, a));
        _mm512_mask_storeu_ps(out + oy * g->out_width + ox, store, a);
    }
}

AVX512 void octet_depthwise_direct_avx512(const OctetDepthwiseLanes *g, const float *input, const float *weights,
                                          float bias, float *out) {
    __m512 w[64];
    for (ptrdiff_t t = 0; t < g->kernel_height * g->kernel_width; t++) w[t] = _mm512_set1_ps(weights[t]);
    const __m512 b = _mm512_set1_ps(bias);
    for (ptrdiff_t ox = 0; ox < g->out_width; ox += 16) {
        if (g->stride_x == 2) column_block(g, input, w, b, ox, out, 1);
        else column_block(g, input, w, b, ox, out, 0);
    }
}

#else

void octet_depthwise_direct_avx512(const OctetDepthwiseLanes *g, const float *input, const float *weights,
                                   float bias, float *out) {
    // Unreachable: octet_cpu_has_avx512f() is 0 here, and callers check it first.
    (void)g; (void)input; (void)weights; (void)bias; (void)out;
    __builtin_trap();
}

#endif
