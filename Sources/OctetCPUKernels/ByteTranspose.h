#ifndef OCTET_BYTE_TRANSPOSE_H
#define OCTET_BYTE_TRANSPOSE_H

// Byte transposes of the kernels that keep 16 channels in a vector's lanes and an NCHW tensor outside
// them, and of the integer GEMMs' [columns][4 k] packing. SSE2 only, so they inline into any x86_64
// kernel. Included by x86_64 files only.

#include <immintrin.h>

// A 16x16 byte transpose: d[j] byte c = r[c] byte j.
static inline void octet_transpose16x16(const __m128i r[16], __m128i d[16]) {
    __m128i a[16], b[16], c[16];
    for (int i = 0; i < 8; i++) {
        a[2 * i] = _mm_unpacklo_epi8(r[2 * i], r[2 * i + 1]);
        a[2 * i + 1] = _mm_unpackhi_epi8(r[2 * i], r[2 * i + 1]);
    }
    // b[4k + q]: pixels 4q..4q+3, channels 4k..4k+3.
    for (int k = 0; k < 4; k++) {
        b[4 * k] = _mm_unpacklo_epi16(a[4 * k], a[4 * k + 2]);
        b[4 * k + 1] = _mm_unpackhi_epi16(a[4 * k], a[4 * k + 2]);
        b[4 * k + 2] = _mm_unpacklo_epi16(a[4 * k + 1], a[4 * k + 3]);
        b[4 * k + 3] = _mm_unpackhi_epi16(a[4 * k + 1], a[4 * k + 3]);
    }
    // c[h * 8 + i]: pixels 2i, 2i+1, channels 8h..8h+7.
    for (int h = 0; h < 2; h++) {
        for (int q = 0; q < 4; q++) {
            c[h * 8 + 2 * q] = _mm_unpacklo_epi32(b[h * 8 + q], b[h * 8 + q + 4]);
            c[h * 8 + 2 * q + 1] = _mm_unpackhi_epi32(b[h * 8 + q], b[h * 8 + q + 4]);
        }
    }
    for (int i = 0; i < 8; i++) {
        d[2 * i] = _mm_unpacklo_epi64(c[i], c[i + 8]);
        d[2 * i + 1] = _mm_unpackhi_epi64(c[i], c[i + 8]);
    }
}

// Four rows of 16 bytes as 16 four-byte words, column j's word holding (r[0][j], r[1][j], r[2][j], r[3][j]):
// words[v] holds columns 4v..4v+3.
static inline void octet_interleave4x16(const __m128i r[4], __m128i words[4]) {
    const __m128i lo01 = _mm_unpacklo_epi8(r[0], r[1]), hi01 = _mm_unpackhi_epi8(r[0], r[1]);
    const __m128i lo23 = _mm_unpacklo_epi8(r[2], r[3]), hi23 = _mm_unpackhi_epi8(r[2], r[3]);
    words[0] = _mm_unpacklo_epi16(lo01, lo23);
    words[1] = _mm_unpackhi_epi16(lo01, lo23);
    words[2] = _mm_unpacklo_epi16(hi01, hi23);
    words[3] = _mm_unpackhi_epi16(hi01, hi23);
}

#endif
