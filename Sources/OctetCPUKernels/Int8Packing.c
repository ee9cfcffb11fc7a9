#include "OctetCPUKernels.h"
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Packing of activations into the GEMM's B layout: per group of 16 columns, per 4 rows of depth, 64 bytes
// [column][4 depth values], so one 64-byte load feeds vpdpbusd with 4 products per 32-bit lane.

// One group's depth step kg: 64 bytes at `out`.
static void pack_step(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns, uint8_t flip,
                      uint8_t fill, ptrdiff_t group, ptrdiff_t kg, uint8_t *out) {
    const ptrdiff_t p0 = group * 16;
    const ptrdiff_t k0 = kg * 4;
#if defined(__SSE2__)
    if (k0 + 4 <= depth) {
        // A 4 x 16 byte transpose: interleave rows pairwise by bytes, then the pairs by 16-bit words.
        // A last, partial group (49 columns of a 7x7 plane) is read through a copy holding `fill`
        // past the columns, so the narrow late layers avoid the byte loop below.
        const __m128i f = _mm_set1_epi8((char)flip);
        const uint8_t *src = x + k0 * row_stride + p0;
        __m128i r0, r1, r2, r3;
        if (p0 + 16 <= columns) {
            r0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)src), f);
            r1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + row_stride)), f);
            r2 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + 2 * row_stride)), f);
            r3 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + 3 * row_stride)), f);
        } else {
            const ptrdiff_t n = columns - p0 > 0 ? columns - p0 : 0;
            uint8_t rows[4][16];
            for (int q = 0; q < 4; q++) {
                memset(rows[q], fill ^ flip, 16);
                memcpy(rows[q], src + q * row_stride, (size_t)n);
            }
            r0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)rows[0]), f);
            r1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)rows[1]), f);
            r2 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)rows[2]), f);
            r3 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)rows[3]), f);
        }
        __m128i t0 = _mm_unpacklo_epi8(r0, r1), t1 = _mm_unpackhi_epi8(r0, r1);
        __m128i t2 = _mm_unpacklo_epi8(r2, r3), t3 = _mm_unpackhi_epi8(r2, r3);
        _mm_storeu_si128((__m128i *)out, _mm_unpacklo_epi16(t0, t2));
        _mm_storeu_si128((__m128i *)(out + 16), _mm_unpackhi_epi16(t0, t2));
        _mm_storeu_si128((__m128i *)(out + 32), _mm_unpacklo_epi16(t1, t3));
        _mm_storeu_si128((__m128i *)(out + 48), _mm_unpackhi_epi16(t1, t3));
        return;
    }
#endif
    for (ptrdiff_t j = 0; j < 16; j++) {
        for (ptrdiff_t q = 0; q < 4; q++) {
            const ptrdiff_t k = k0 + q, p = p0 + j;
            out[j * 4 + q] = (k < depth && p < columns) ? (uint8_t)(x[k * row_stride + p] ^ flip) : fill;
        }
    }
}

void octet_i8_pack_rows(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                        uint8_t flip, uint8_t fill, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed) {
    const ptrdiff_t depth4 = (depth + 3) / 4;
    for (ptrdiff_t group = group_begin; group < group_end; group++) {
        for (ptrdiff_t kg = 0; kg < depth4; kg++) {
            pack_step(x, row_stride, depth, columns, flip, fill, group, kg, packed + (group * depth4 + kg) * 64);
        }
    }
}

void octet_i8_pack_rows_tail(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                             uint8_t flip, uint8_t fill, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed) {
    const ptrdiff_t depth4 = (depth + 3) / 4;
    if (depth4 * 4 == depth) return;
    for (ptrdiff_t group = group_begin; group < group_end; group++) {
        pack_step(x, row_stride, depth, columns, flip, fill, group, depth4 - 1,
                  packed + (group * depth4 + depth4 - 1) * 64);
    }
}

void octet_i8_pack_gather(const uint8_t *source, const ptrdiff_t *k_offsets, const ptrdiff_t *p_offsets,
                          ptrdiff_t depth4, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed) {
    for (ptrdiff_t group = group_begin; group < group_end; group++) {
        uint8_t *out = packed + group * depth4 * 64;
        const ptrdiff_t *p = p_offsets + group * 16;
        for (ptrdiff_t kg = 0; kg < depth4; kg++, out += 64) {
            const uint8_t *s0 = source + k_offsets[kg * 4], *s1 = source + k_offsets[kg * 4 + 1];
            const uint8_t *s2 = source + k_offsets[kg * 4 + 2], *s3 = source + k_offsets[kg * 4 + 3];
            for (ptrdiff_t j = 0; j < 16; j++) {
                out[j * 4] = s0[p[j]];
                out[j * 4 + 1] = s1[p[j]];
                out[j * 4 + 2] = s2[p[j]];
                out[j * 4 + 3] = s3[p[j]];
            }
        }
    }
}

void octet_i8_pack_columns(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                           uint8_t flip, ptrdiff_t depth4, ptrdiff_t group_begin, ptrdiff_t group_end,
                           uint8_t *packed) {
    const uint32_t flip4 = flip * 0x01010101u;
    for (ptrdiff_t group = group_begin; group < group_end; group++) {
        uint8_t *out = packed + group * depth4 * 64;
        for (ptrdiff_t kg = 0; kg < depth4; kg++, out += 64) {
            for (ptrdiff_t j = 0; j < 16; j++) {
                const ptrdiff_t p = group * 16 + j, k0 = kg * 4;
                if (p < columns && k0 + 4 <= depth) {
                    uint32_t word;
                    memcpy(&word, x + p * row_stride + k0, 4);
                    word ^= flip4;
                    memcpy(out + j * 4, &word, 4);
                } else {
                    for (ptrdiff_t q = 0; q < 4; q++) {
                        out[j * 4 + q] = (p < columns && k0 + q < depth) ? (uint8_t)(x[p * row_stride + k0 + q] ^ flip) : 0;
                    }
                }
            }
        }
    }
}

void octet_i8_phase_plane(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height, ptrdiff_t width,
                          ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride_x, ptrdiff_t phase_width,
                          int32_t *plane) {
    const ptrdiff_t row_stride = stride_x * phase_width;
    for (ptrdiff_t y = 0; y < height; y++) {
        int32_t *row = plane + (y + pad_top) * row_stride;
        for (ptrdiff_t phase = 0; phase < stride_x; phase++) {
            // Input columns phase - pad_left + j * stride_x, for the j that land inside the image.
            const ptrdiff_t first = phase - pad_left;
            ptrdiff_t j0 = first >= 0 ? 0 : (-first + stride_x - 1) / stride_x;
            ptrdiff_t j1 = first >= width ? 0 : (width - first + stride_x - 1) / stride_x;
            int32_t *dst = row + phase * phase_width;
            const uint8_t *src = x + y * width + first;
            if (is_signed) {
                for (ptrdiff_t j = j0; j < j1; j++) dst[j] = (int32_t)(int8_t)src[j * stride_x] - zero;
            } else {
                for (ptrdiff_t j = j0; j < j1; j++) dst[j] = (int32_t)src[j * stride_x] - zero;
            }
        }
    }
}
