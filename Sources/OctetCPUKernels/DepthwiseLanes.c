#include "OctetCPUKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

// Depthwise convolution of small planes (7x7, 14x14) with a channel in each vector lane. A row kernel
// puts output columns in the lanes, so a 7-wide plane fills 7 of 16; here 16 channels are transposed into
// a zero-padded [row][column][16] scratch, every tap is one full-width FMA with the 16 channels' weights,
// and the results are transposed back to NCHW.
__attribute__((target("avx512f"))) void octet_depthwise_lanes_avx512(
    const OctetDepthwiseLanes *g, const float *input, ptrdiff_t channels, const float *weights, const float *bias,
    float *out, float *scratch, float *results) {
    const ptrdiff_t rows = g->padded_height, cols = g->padded_width, in_plane = g->height * g->width;
    const ptrdiff_t out_plane = g->out_height * g->out_width, taps = g->kernel_height * g->kernel_width;
    memset(scratch, 0, (size_t)(rows * cols * 16) * sizeof(float));
    // One gather per pixel: lane c reads channel c's plane (plane offsets fit 32 bits: a small plane).
    const __mmask16 valid = channels >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << channels) - 1);
    const __m512i planes = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                              _mm512_set1_epi32((int)in_plane));
    for (ptrdiff_t y = 0; y < g->height; y++) {
        float *row = scratch + ((y + g->pad_top) * cols + g->pad_left) * 16;
        for (ptrdiff_t x = 0; x < g->width; x++) {
            __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid, planes, input + y * g->width + x, 4);
            _mm512_storeu_ps(row + x * 16, v);
        }
    }
    float b[16] = {0};
    for (ptrdiff_t c = 0; c < channels; c++) b[c] = bias ? bias[c] : 0;
    const __m512 vb = _mm512_loadu_ps(b), lo = _mm512_set1_ps(g->lower), hi = _mm512_set1_ps(g->upper);
    for (ptrdiff_t oy = 0; oy < g->out_height; oy++) {
        for (ptrdiff_t ox = 0; ox < g->out_width; ox++) {
            const float *origin = scratch + (oy * g->stride_y * cols + ox * g->stride_x) * 16;
            __m512 a, d = _mm512_setzero_ps();
            // The row kernels' order of operations, so both give the same bits: for 3x3, taps 0, 2, 4, 6, 8
            // on the bias and 1, 3, 5, 7 in a second chain started by a product; otherwise one chain.
            if (taps == 9) {
                const float *p[9];
                for (ptrdiff_t t = 0; t < 9; t++) {
                    p[t] = origin + ((t / 3) * g->dilation_y * cols + (t % 3) * g->dilation_x) * 16;
                }
                a = _mm512_fmadd_ps(_mm512_loadu_ps(weights), _mm512_loadu_ps(p[0]), vb);
                d = _mm512_mul_ps(_mm512_loadu_ps(weights + 16), _mm512_loadu_ps(p[1]));
                for (ptrdiff_t t = 2; t < 9; t += 2) {
                    a = _mm512_fmadd_ps(_mm512_loadu_ps(weights + t * 16), _mm512_loadu_ps(p[t]), a);
                    if (t + 1 < 9) d = _mm512_fmadd_ps(_mm512_loadu_ps(weights + (t + 1) * 16), _mm512_loadu_ps(p[t + 1]), d);
                }
            } else {
                a = vb;
                for (ptrdiff_t ky = 0, t = 0; ky < g->kernel_height; ky++) {
                    const float *p = origin + ky * g->dilation_y * cols * 16;
                    for (ptrdiff_t kx = 0; kx < g->kernel_width; kx++, t++) {
                        a = _mm512_fmadd_ps(_mm512_loadu_ps(weights + t * 16), _mm512_loadu_ps(p + kx * g->dilation_x * 16), a);
                    }
                }
            }
            if (taps == 9) a = _mm512_add_ps(a, d);
            // max(lo, x) and min(hi, x) return x when x is NaN (the second operand wins on unordered).
            if (g->clamp) a = _mm512_min_ps(hi, _mm512_max_ps(lo, a));
            _mm512_storeu_ps(results + (oy * g->out_width + ox) * 16, a);
        }
    }
    const __m512i out_planes = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int)out_plane));
    for (ptrdiff_t i = 0; i < out_plane; i++) {
        _mm512_mask_i32scatter_ps(out + i, valid, out_planes, _mm512_loadu_ps(results + i * 16), 4);
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
