#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "ByteTranspose.h"
#include "DepthwiseLanesLayout.h"

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE static inline __attribute__((always_inline))

// Integer depthwise convolution of small planes (7x7 outputs) with a channel in each vector lane. The
// plane kernels put output columns in the lanes, so a 7-wide row fills 7 of 16 and the fixed cost of each
// plane (its padded copy, the epilogue set-up) is paid 16 times per 16 channels. Here 16 channels are
// transposed into a zero-padded [row][column][16] int32 scratch, every tap is one vpdpwssd with the 16
// channels' weights, the epilogue takes each lane's own bias and scale, and the bytes are transposed back.

// Every output pixel of 16 channels: the taps summed, then octet_int_store's arithmetic lane by lane,
// into `results` as 16 bytes (8-bit kinds) or 16 int32/float values per pixel. `taps` and `kind` are
// constants where inlined, so the tap loop unrolls and the kind's branches fold away.
VNNI INLINE void pixels(const OctetDepthwiseLanes *g, const int32_t *scratch, const int32_t *weights,
                        const ptrdiff_t *offsets, const ptrdiff_t taps, const OctetIntEpilogue *e, ptrdiff_t first,
                        __mmask16 valid, int32_t *results, const int kind) {
    const ptrdiff_t cols = g->padded_width;
    const __m512i bias = _mm512_maskz_loadu_epi32(valid, e->bias + first);
    const __m512 scale = kind == OCTET_INT_OUT_I32 ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(valid, e->scale + first);
    const __m512 lower = _mm512_set1_ps(e->lower), upper = _mm512_set1_ps(e->upper);
    const __m512i zero_point = _mm512_set1_epi32(e->zero_point);
    uint8_t *bytes = (uint8_t *)results;
    // Copied out first: the stores to `results` could alias `weights` as far as the compiler knows.
    __m512i w[64];
    ptrdiff_t o[64];
    for (ptrdiff_t t = 0; t < taps; t++) {
        w[t] = _mm512_loadu_si512(weights + t * 16);
        o[t] = offsets[t];
    }
    for (ptrdiff_t oy = 0, p = 0; oy < g->out_height; oy++) {
        const int32_t *row = scratch + oy * g->stride_y * cols * 16;
        for (ptrdiff_t ox = 0; ox < g->out_width; ox++, p++) {
            const int32_t *origin = row + ox * g->stride_x * 16;
            // Integer sums: any order gives the plane kernels' bits. The weights hold their value in the
            // low 16 bits only, so vpdpwssd adds exactly value * weight.
            __m512i acc = _mm512_setzero_si512();
            for (ptrdiff_t t = 0; t < taps; t++) {
                acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(origin + o[t]), w[t]);
            }
            acc = _mm512_add_epi32(acc, bias);
            if (kind == OCTET_INT_OUT_I32) {
                _mm512_storeu_si512(results + p * 16, acc);
                continue;
            }
            __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
            if (kind == OCTET_INT_OUT_F32) {
                _mm512_storeu_ps((float *)results + p * 16, f);
                continue;
            }
            f = _mm512_min_ps(_mm512_max_ps(f, lower), upper);
            const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), zero_point);
            _mm_storeu_si128((__m128i *)(bytes + p * 16), _mm512_cvtepi32_epi8(q));
        }
    }
}

VNNI void octet_i8_depthwise_lanes_avx512(const OctetDepthwiseLanes *g, const uint8_t *x, int is_signed,
                                          int32_t zero, ptrdiff_t channels, const int32_t *weights,
                                          ptrdiff_t first, void *out, int32_t *scratch, int32_t *results,
                                          const OctetIntEpilogue *e) {
    const ptrdiff_t cols = g->padded_width, in_plane = g->height * g->width;
    const ptrdiff_t out_plane = g->out_height * g->out_width;
    const __mmask16 valid = octet_lanes_for(channels);
    const __m512i z = _mm512_set1_epi32(zero);
    // The plane's pixels 16 at a time, row by row into the padded scratch.
    ptrdiff_t y = 0, xx = 0;
    for (ptrdiff_t p0 = 0; p0 < in_plane; p0 += 16) {
        const __mmask16 m = octet_lanes_for(in_plane - p0);
        __m128i r[16], d[16];
        for (int c = 0; c < 16; c++) {
            r[c] = c < channels ? _mm_maskz_loadu_epi8(m, x + c * in_plane + p0) : _mm_setzero_si128();
        }
        octet_transpose16x16(r, d);
        for (int j = 0; j < 16 && p0 + j < in_plane; j++) {
            const __m512i v = is_signed ? _mm512_cvtepi8_epi32(d[j]) : _mm512_cvtepu8_epi32(d[j]);
            _mm512_storeu_si512(scratch + ((y + g->pad_top) * cols + xx + g->pad_left) * 16, _mm512_sub_epi32(v, z));
            if (++xx == g->width) {
                xx = 0;
                y++;
            }
        }
    }
    const int kind = e->kind;
    ptrdiff_t offsets[64];
    const ptrdiff_t taps = octet_lane_tap_offsets(g, offsets);
    // One copy per epilogue kind, and one with the 3x3 filter's nine taps in registers.
#define LANES(T, K) pixels(g, scratch, weights, offsets, T, e, first, valid, results, K)
    if (taps == 9) {
        if (kind == OCTET_INT_OUT_8BIT) LANES(9, OCTET_INT_OUT_8BIT);
        else if (kind == OCTET_INT_OUT_F32) LANES(9, OCTET_INT_OUT_F32);
        else LANES(9, OCTET_INT_OUT_I32);
    } else {
        if (kind == OCTET_INT_OUT_8BIT) LANES(taps, OCTET_INT_OUT_8BIT);
        else if (kind == OCTET_INT_OUT_F32) LANES(taps, OCTET_INT_OUT_F32);
        else LANES(taps, OCTET_INT_OUT_I32);
    }
#undef LANES
    uint8_t *bytes = (uint8_t *)results;
    if (kind != OCTET_INT_OUT_8BIT) {
        // Four-byte outputs (int32 or float, the same copy): rare, so a plain loop.
        int32_t *o = (int32_t *)out;
        for (ptrdiff_t c = 0; c < channels; c++) {
            for (ptrdiff_t p = 0; p < out_plane; p++) o[c * out_plane + p] = results[p * 16 + c];
        }
        return;
    }
    for (ptrdiff_t p0 = 0; p0 < out_plane; p0 += 16) {
        const ptrdiff_t n = out_plane - p0 < 16 ? out_plane - p0 : 16;
        __m128i r[16], d[16];
        for (int j = 0; j < 16; j++) {
            r[j] = j < n ? _mm_loadu_si128((const __m128i *)(bytes + (p0 + j) * 16)) : _mm_setzero_si128();
        }
        octet_transpose16x16(r, d);
        for (ptrdiff_t c = 0; c < channels; c++) _mm_mask_storeu_epi8((uint8_t *)out + c * out_plane + p0, octet_lanes_for(n), d[c]);
    }
}

#else

void octet_i8_depthwise_lanes_avx512(const OctetDepthwiseLanes *g, const uint8_t *x, int is_signed,
                                     int32_t zero, ptrdiff_t channels, const int32_t *weights, ptrdiff_t first,
                                     void *out, int32_t *scratch, int32_t *results, const OctetIntEpilogue *e) {
    // Unreachable: octet_cpu_has_avx512_vnni() is 0 here, and callers check it first.
    (void)g; (void)x; (void)is_signed; (void)zero; (void)channels; (void)weights; (void)first; (void)out;
    (void)scratch; (void)results; (void)e;
    __builtin_trap();
}

#endif
