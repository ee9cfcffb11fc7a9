#ifndef OCTET_DEPTHWISE_LANES_LAYOUT_H
#define OCTET_DEPTHWISE_LANES_LAYOUT_H

// What the float and the integer channel-lane depthwise kernels share: the [row][column][16] scratch
// layout's tap offsets and the lane mask of a partial group (which the channel-lane GEMM and the vector
// im2col use too); and the float depthwise kernels' order of operations. Included by x86_64 files only.

#include "OctetCPUKernels.h"
#include <immintrin.h>

/// The mask of the first `n` of 16 lanes.
static inline __mmask16 octet_lanes_for(ptrdiff_t n) {
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

/// Each tap's offset from an output pixel's origin in the padded scratch (16 values a pixel), kernel rows
/// then columns, into `offsets` (room for 64; the callers route larger filters elsewhere); returns the taps.
static inline ptrdiff_t octet_lane_tap_offsets(const OctetDepthwiseLanes *g, ptrdiff_t offsets[64]) {
    ptrdiff_t t = 0;
    for (ptrdiff_t ky = 0; ky < g->kernel_height; ky++) {
        for (ptrdiff_t kx = 0; kx < g->kernel_width; kx++, t++) {
            offsets[t] = (ky * g->dilation_y * g->padded_width + kx * g->dilation_x) * 16;
        }
    }
    return t;
}

/// Adds tap t of a float depthwise output in the row kernels' order, which every float depthwise kernel keeps
/// so that all give the same bits: with 9 taps, the even ones on the chain the bias starts (`a`), the odd
/// ones on a second chain started by tap 1's product (`d`), `a + d` at the end; otherwise one chain.
static inline __attribute__((always_inline, target("avx512f"))) void
octet_depthwise_tap(ptrdiff_t taps, ptrdiff_t t, __m512 w, __m512 x, __m512 *a, __m512 *d) {
    if (taps == 9 && t == 1) *d = _mm512_mul_ps(w, x);
    else if (taps == 9 && (t & 1)) *d = _mm512_fmadd_ps(w, x, *d);
    else *a = _mm512_fmadd_ps(w, x, *a);
}

#endif
