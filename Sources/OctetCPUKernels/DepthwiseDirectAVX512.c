#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "DepthwiseLanesLayout.h"

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline, target("avx512f")))

// Depthwise convolution read straight from the NCHW input plane, for column strides 1 and 2 (the backend
// takes it for stride 2, and for stride 1 on wide rows). The row kernel first copies each plane into a
// zero-padded, phase-split scratch: one pass over the input that waits on memory, then one that computes.
// Here each tap's 16 inputs are one or two masked loads (the masked-off columns are the padding, read as
// zero) and, for stride 2, one permute that keeps the even elements, so reading the plane overlaps the
// arithmetic. The taps are summed in the row kernel's order, and a padded zero is still multiplied, so both
// give the same bits.

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

// bias + every tap of the 16 outputs of `count` rows from oy whose first input column is `origin`, into acc.
// Each input window is loaded once and added to every row of the block that reads it (row r takes input
// row j at kernel row (j - r * sy) / dy), so a 5x5 block of four rows loads 40 windows, not 100; the rows
// are independent chains, so their FMA latencies overlap. Per output the row kernel's order: taps by kernel
// row, then column, chained as octet_depthwise_tap says. `count`, `kh`, `kw`, `sy` and `dy` are constants
// where inlined.
INLINE void output_rows(const OctetDepthwiseLanes *g, const float *input, ptrdiff_t oy, const int count,
                        ptrdiff_t origin, const __mmask16 *lo, const __mmask16 *hi, const __m512 *w, __m512 b,
                        __m512i even, const int stride2, const int plain, const ptrdiff_t kh, const ptrdiff_t kw,
                        const ptrdiff_t sy, const ptrdiff_t dy, __m512 acc[4]) {
    const ptrdiff_t dx = g->dilation_x, span = (count - 1) * sy + (kh - 1) * dy + 1;
    const ptrdiff_t taps = kh * kw;
    __m512 second[4];
    for (int r = 0; r < count; r++) acc[r] = b;
    for (ptrdiff_t j = 0; j < span; j++) {
        const ptrdiff_t iy = oy * sy - g->pad_top + j;
        const int inside_row = iy >= 0 && iy < g->height;
        const __mmask16 keep = inside_row ? (__mmask16)0xFFFF : 0;
        const float *row = input + (inside_row ? iy : 0) * g->width + origin;
        for (ptrdiff_t kx = 0; kx < kw; kx++) {
            const __mmask16 l = plain ? 0 : lo[kx] & keep, h = plain ? 0 : hi[kx] & keep;
            const __m512 x = window(row + kx * dx, l, h, stride2, even, plain);
            for (int r = 0; r < count; r++) {
                const ptrdiff_t d = j - r * sy;
                if (d < 0 || d % dy != 0 || d / dy >= kh) continue;
                const ptrdiff_t t = (d / dy) * kw + kx;
                octet_depthwise_tap(taps, t, w[t], x, &acc[r], &second[r]);
            }
        }
    }
    if (taps == 9) for (int r = 0; r < count; r++) acc[r] = _mm512_add_ps(acc[r], second[r]);
}

// Whether every kernel row of output row oy lies inside the plane.
INLINE int rows_inside(const OctetDepthwiseLanes *g, ptrdiff_t oy) {
    ptrdiff_t first = oy * g->stride_y - g->pad_top, last = first + (g->kernel_height - 1) * g->dilation_y;
    return first >= 0 && last < g->height;
}

// Rows oy ..< oy + count of one column block, clamped and stored.
INLINE void store_rows(const OctetDepthwiseLanes *g, const float *input, ptrdiff_t oy, const int count,
                       ptrdiff_t origin, const __mmask16 *lo, const __mmask16 *hi, const __m512 *w, __m512 b,
                       __m512i even, const int stride2, const int columns_inside, const ptrdiff_t kh,
                       const ptrdiff_t kw, const ptrdiff_t sy, const ptrdiff_t dy, float *out, __mmask16 store) {
    __m512 acc[4];
    if (columns_inside && rows_inside(g, oy) && rows_inside(g, oy + count - 1))
        output_rows(g, input, oy, count, origin, lo, hi, w, b, even, stride2, 1, kh, kw, sy, dy, acc);
    else
        output_rows(g, input, oy, count, origin, lo, hi, w, b, even, stride2, 0, kh, kw, sy, dy, acc);
    const __m512 lower = _mm512_set1_ps(g->lower), upper = _mm512_set1_ps(g->upper);
    for (int r = 0; r < count; r++) {
        // max(lo, x) and min(hi, x) return x when x is NaN (the second operand wins on unordered).
        if (g->clamp) acc[r] = _mm512_min_ps(upper, _mm512_max_ps(lower, acc[r]));
        _mm512_mask_storeu_ps(out + r * g->out_width, store, acc[r]);
    }
}

// Rows oy ..< oy + count (4, 2 or 1) of every column block, left to right, so the input is read in the
// order it lies in memory (down each column block, a pass over a 112-wide plane read a few lines of every
// row; in MobileNetV2 and Lite0 the depthwise layers took 4-6% longer that way, in the graph). A block's column masks depend on the block and the tap's column only; a row in the
// padding clears them.
INLINE void row_band(const OctetDepthwiseLanes *g, const float *input, const __m512 *w, __m512 b, ptrdiff_t oy,
                     const int count, float *out, const int stride2, const ptrdiff_t kh, const ptrdiff_t kw,
                     const ptrdiff_t sy, const ptrdiff_t dy) {
    const ptrdiff_t width = g->width, dx = g->dilation_x;
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (ptrdiff_t ox = 0; ox < g->out_width; ox += 16) {
        const ptrdiff_t origin = ox * g->stride_x - g->pad_left;
        __mmask16 lo[64], hi[64];
#pragma clang loop vectorize(disable)
        for (ptrdiff_t kx = 0; kx < kw; kx++) {
            lo[kx] = inside(origin + kx * dx, width);
            hi[kx] = stride2 ? inside(origin + kx * dx + 16, width) : 0;
        }
        const ptrdiff_t valid = g->out_width - ox;
        const int columns_inside = origin >= 0 && origin + (kw - 1) * dx + (stride2 ? 32 : 16) <= width;
        const __mmask16 store = valid >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
        store_rows(g, input, oy, count, origin, lo, hi, w, b, even, stride2, columns_inside, kh, kw, sy, dy,
                   out + oy * g->out_width + ox, store);
    }
}

// The whole output plane in bands of four rows, then a pair and a single row for what is left.
INLINE void plane(const OctetDepthwiseLanes *g, const float *input, const __m512 *w, __m512 b, float *out,
                  const int stride2, const ptrdiff_t kh, const ptrdiff_t kw, const ptrdiff_t sy, const ptrdiff_t dy) {
    ptrdiff_t oy = 0;
    for (; oy + 4 <= g->out_height; oy += 4) row_band(g, input, w, b, oy, 4, out, stride2, kh, kw, sy, dy);
    if (oy + 2 <= g->out_height) {
        row_band(g, input, w, b, oy, 2, out, stride2, kh, kw, sy, dy);
        oy += 2;
    }
    if (oy < g->out_height) row_band(g, input, w, b, oy, 1, out, stride2, kh, kw, sy, dy);
}

AVX512 void octet_depthwise_direct_avx512(const OctetDepthwiseLanes *g, const float *input, const float *weights,
                                          float bias, float *out) {
    __m512 w[64];
    for (ptrdiff_t t = 0; t < g->kernel_height * g->kernel_width; t++) w[t] = _mm512_set1_ps(weights[t]);
    const __m512 b = _mm512_set1_ps(bias);
    const ptrdiff_t kh = g->kernel_height, kw = g->kernel_width, sy = g->stride_y, dy = g->dilation_y;
    // Common filters get constant sizes, so the loops unroll and the accumulators stay in registers.
    const int square = kh == kw && sy == g->stride_x && dy == 1 && (kh == 3 || kh == 5);
    if (g->stride_x == 2) {
        if (square && kh == 3) plane(g, input, w, b, out, 1, 3, 3, 2, 1);
        else if (square && kh == 5) plane(g, input, w, b, out, 1, 5, 5, 2, 1);
        else plane(g, input, w, b, out, 1, kh, kw, sy, dy);
    } else {
        if (square && kh == 3) plane(g, input, w, b, out, 0, 3, 3, 1, 1);
        else if (square && kh == 5) plane(g, input, w, b, out, 0, 5, 5, 1, 1);
        else plane(g, input, w, b, out, 0, kh, kw, sy, dy);
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
