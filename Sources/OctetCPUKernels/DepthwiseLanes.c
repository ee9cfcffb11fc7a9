#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "DepthwiseLanesLayout.h"

// Depthwise convolution of small planes (7x7, 14x14) with a channel in each vector lane. A row kernel
// puts output columns in the lanes, so a 7-wide plane fills 7 of 16; here 16 channels are transposed into
// a zero-padded [row][column][16] scratch, every tap is one full-width FMA with the 16 channels' weights,
// and the results are transposed back to NCHW.

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline))

// A 16x16 transpose: d[j] lane c = r[c] lane j.
AVX512 INLINE void transpose16x16(const __m512 r[16], __m512 d[16]) {
    __m512 t[16], u[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // u[4k + j], 128-bit lane L: rows 4k..4k+3 of column 4L + j.
    for (int k = 0; k < 4; k++) {
        u[4 * k] = _mm512_shuffle_ps(t[4 * k], t[4 * k + 2], 0x44);
        u[4 * k + 1] = _mm512_shuffle_ps(t[4 * k], t[4 * k + 2], 0xEE);
        u[4 * k + 2] = _mm512_shuffle_ps(t[4 * k + 1], t[4 * k + 3], 0x44);
        u[4 * k + 3] = _mm512_shuffle_ps(t[4 * k + 1], t[4 * k + 3], 0xEE);
    }
    for (int j = 0; j < 4; j++) {
        const __m512 x0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x44), x1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xEE);
        const __m512 y0 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x44), y1 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xEE);
        d[j] = _mm512_shuffle_f32x4(x0, y0, 0x88);
        d[4 + j] = _mm512_shuffle_f32x4(x0, y0, 0xDD);
        d[8 + j] = _mm512_shuffle_f32x4(x1, y1, 0x88);
        d[12 + j] = _mm512_shuffle_f32x4(x1, y1, 0xDD);
    }
}

// Every output pixel of 16 channels into `results`, in the row kernels' order (octet_depthwise_tap), so
// both give the same bits. `count` pixels of a row at a time are independent chains, so their FMA
// latencies overlap. `taps` and `count` are constants where inlined, so the weights stay in registers.
AVX512 INLINE void pixel_run(const OctetDepthwiseLanes *g, const float *row, ptrdiff_t ox, const int count,
                             const __m512 *w, const ptrdiff_t *o, const ptrdiff_t taps, __m512 vb, float *results) {
    __m512 a[4], d[4];
    const float *origin[4];
    for (int i = 0; i < count; i++) origin[i] = row + (ox + i) * g->stride_x * 16;
    for (int i = 0; i < count; i++) a[i] = vb;
    for (ptrdiff_t t = 0; t < taps; t++) {
        for (int i = 0; i < count; i++) {
            octet_depthwise_tap(taps, t, w[t], _mm512_loadu_ps(origin[i] + o[t]), &a[i], &d[i]);
        }
    }
    const __m512 lo = _mm512_set1_ps(g->lower), hi = _mm512_set1_ps(g->upper);
    for (int i = 0; i < count; i++) {
        if (taps == 9) a[i] = _mm512_add_ps(a[i], d[i]);
        // max(lo, x) and min(hi, x) return x when x is NaN (the second operand wins on unordered).
        if (g->clamp) a[i] = _mm512_min_ps(hi, _mm512_max_ps(lo, a[i]));
        _mm512_storeu_ps(results + i * 16, a[i]);
    }
}

AVX512 INLINE void pixels(const OctetDepthwiseLanes *g, const float *scratch, const float *weights,
                          const ptrdiff_t *offsets, const ptrdiff_t taps, __m512 vb, float *results) {
    const ptrdiff_t cols = g->padded_width;
    // Copied out first: the stores to `results` could alias `weights` as far as the compiler knows.
    __m512 w[64];
    ptrdiff_t o[64];
    for (ptrdiff_t t = 0; t < taps; t++) {
        w[t] = _mm512_loadu_ps(weights + t * 16);
        o[t] = offsets[t];
    }
    for (ptrdiff_t oy = 0, p = 0; oy < g->out_height; oy++) {
        const float *row = scratch + oy * g->stride_y * cols * 16;
        ptrdiff_t ox = 0;
        for (; ox + 4 <= g->out_width; ox += 4, p += 4) pixel_run(g, row, ox, 4, w, o, taps, vb, results + p * 16);
        const ptrdiff_t rest = g->out_width - ox;
        if (rest == 3) pixel_run(g, row, ox, 3, w, o, taps, vb, results + p * 16);
        else if (rest == 2) pixel_run(g, row, ox, 2, w, o, taps, vb, results + p * 16);
        else if (rest == 1) pixel_run(g, row, ox, 1, w, o, taps, vb, results + p * 16);
        p += rest;
    }
}

AVX512 void octet_depthwise_lanes_avx512(const OctetDepthwiseLanes *g, const float *input, ptrdiff_t channels,
                                         const float *weights, const float *bias, float *out, float *scratch,
                                         float *results) {
    const ptrdiff_t cols = g->padded_width, in_plane = g->height * g->width;
    const ptrdiff_t out_plane = g->out_height * g->out_width, taps = g->kernel_height * g->kernel_width;
    // The plane's pixels 16 at a time, row by row into the padded scratch.
    ptrdiff_t y = 0, x = 0;
    for (ptrdiff_t p0 = 0; p0 < in_plane; p0 += 16) {
        const __mmask16 m = octet_lanes_for(in_plane - p0);
        __m512 r[16], d[16];
        for (int c = 0; c < 16; c++) {
            r[c] = c < channels ? _mm512_maskz_loadu_ps(m, input + c * in_plane + p0) : _mm512_setzero_ps();
        }
        transpose16x16(r, d);
        for (int j = 0; j < 16 && p0 + j < in_plane; j++) {
            _mm512_storeu_ps(scratch + ((y + g->pad_top) * cols + x + g->pad_left) * 16, d[j]);
            if (++x == g->width) {
                x = 0;
                y++;
            }
        }
    }
    float b[16] = {0};
    for (ptrdiff_t c = 0; c < channels; c++) b[c] = bias ? bias[c] : 0;
    ptrdiff_t offsets[64];
    octet_lane_tap_offsets(g, offsets);
    if (taps == 9) pixels(g, scratch, weights, offsets, 9, _mm512_loadu_ps(b), results);
    else if (taps == 25) pixels(g, scratch, weights, offsets, 25, _mm512_loadu_ps(b), results);
    else pixels(g, scratch, weights, offsets, taps, _mm512_loadu_ps(b), results);
    for (ptrdiff_t p0 = 0; p0 < out_plane; p0 += 16) {
        const ptrdiff_t n = out_plane - p0 < 16 ? out_plane - p0 : 16;
        __m512 r[16], d[16];
        for (int j = 0; j < 16; j++) r[j] = j < n ? _mm512_loadu_ps(results + (p0 + j) * 16) : _mm512_setzero_ps();
        transpose16x16(r, d);
        for (ptrdiff_t c = 0; c < channels; c++) _mm512_mask_storeu_ps(out + c * out_plane + p0, octet_lanes_for(n), d[c]);
    }
}

#else

void octet_depthwise_lanes_avx512(const OctetDepthwiseLanes *g, const float *input, ptrdiff_t channels,
                                  const float *weights, const float *bias, float *out, float *scratch,
                                  float *results) {
    // Unreachable: octet_cpu_has_avx512f() is 0 here, and callers check it first.
    (void)g; (void)input; (void)channels; (void)weights; (void)bias; (void)out; (void)scratch; (void)results;
    __builtin_trap();
}

#endif
