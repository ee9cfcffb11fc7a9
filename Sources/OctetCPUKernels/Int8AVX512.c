#include "OctetCPUKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE static inline __attribute__((always_inline))

// The GEMM tile is 8 rows x 3 vectors of 16 columns: 24 zmm accumulators, 3 for the B slices and one
// broadcast weight word. Per 4 depth values: 3 loads, 8 broadcasts and 24 vpdpbusd (u8 x s8, 4 products
// summed exactly into each int32 lane, no saturation).

// The vector epilogue; bit-identical to octet_int_store (Int8Epilogue.h): cvtdq2ps and cvtps2dq round to
// nearest even in the default MXCSR mode, and clamping before the conversion equals clamping after it
// because the bounds are integers.
// `kind` is e->kind, a constant where the caller specialises on it (store16k), so the branches fold away.
VNNI INLINE void store16k(const OctetIntEpilogue *e, const int kind, ptrdiff_t row, __m512i acc, void *c,
                          ptrdiff_t i, __mmask16 m) {
    acc = _mm512_add_epi32(acc, _mm512_set1_epi32(e->bias[row]));
    if (kind == OCTET_INT_OUT_I32) {
        _mm512_mask_storeu_epi32((int32_t *)c + i, m, acc);
        return;
    }
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_set1_ps(e->scale[row]));
    if (kind == OCTET_INT_OUT_F32) {
        _mm512_mask_storeu_ps((float *)c + i, m, v);
        return;
    }
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(e->lower)), _mm512_set1_ps(e->upper));
    __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), _mm512_set1_epi32(e->zero_point));
    _mm_mask_storeu_epi8((uint8_t *)c + i, m, _mm512_cvtepi32_epi8(q));
}

VNNI INLINE void store16(const OctetIntEpilogue *e, ptrdiff_t row, __m512i acc, void *c, ptrdiff_t i,
                         __mmask16 m) {
    store16k(e, e->kind, row, acc, c, i, m);
}

INLINE __mmask16 mask_for(ptrdiff_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

VNNI INLINE void tile(const OctetI8GEMM *g, ptrdiff_t block, ptrdiff_t group, const int vectors, const int kind) {
    const ptrdiff_t depth4 = g->depth4, bs = depth4 * 64;
    const int8_t *a = g->a + block * depth4 * 32;
    const uint8_t *b = g->b + group * bs;
    __m512i c[8][3];
    for (int r = 0; r < 8; r++)
        for (int v = 0; v < 3; v++) c[r][v] = _mm512_setzero_si512();
    for (ptrdiff_t k = 0; k < depth4; k++) {
        __m512i x[3];
        for (int v = 0; v < vectors; v++) x[v] = _mm512_loadu_si512(b + v * bs + k * 64);
        for (int r = 0; r < 8; r++) {
            int32_t word;
            memcpy(&word, a + k * 32 + r * 4, 4);
            const __m512i w = _mm512_set1_epi32(word);
            for (int v = 0; v < vectors; v++) c[r][v] = _mm512_dpbusd_epi32(c[r][v], x[v], w);
        }
    }
    // Copies, not g's fields: a store through `void *c` could alias g and force a reload after every one.
    const OctetIntEpilogue e = g->epilogue;
    void *const out = g->c;
    const ptrdiff_t ldc = g->ldc, columns = g->columns;
    const ptrdiff_t r0 = block * 8, rows = g->rows - r0 < 8 ? g->rows - r0 : 8;
    // A constant trip count with an early exit: indexing c by a variable row count would keep the 24
    // accumulators in memory (zeroed by a memset per tile) instead of in registers.
#pragma clang loop unroll(full)
    for (int r = 0; r < 8; r++) {
        if (r >= rows) break;
        for (int v = 0; v < vectors; v++) {
            const ptrdiff_t p = (group + v) * 16;
            store16k(&e, kind, r0 + r, c[r][v], out, (r0 + r) * ldc + p, mask_for(columns - p));
        }
    }
}

VNNI INLINE void gemm(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end, ptrdiff_t group_begin,
                      ptrdiff_t group_end, const int kind) {
    // Panels of B's groups small enough to stay in L1 (at least one 3-group tile): each block of 8 rows
    // runs across the whole panel before the next block, so its stores fill whole cache lines of 8 output
    // rows in turn. Going down all rows for each 48 columns instead touches a new page with every row's
    // store, and on 112x112 planes (12544-byte rows) those TLB misses cost more than the products.
    const ptrdiff_t fit = (24 * 1024) / (g->depth4 * 64) / 3 * 3, panel = fit > 3 ? fit : 3;
    for (ptrdiff_t first = group_begin; first < group_end; first += panel) {
        const ptrdiff_t last = group_end - first < panel ? group_end : first + panel;
        for (ptrdiff_t block = block_begin; block < block_end; block++) {
            for (ptrdiff_t group = first; group < last; group += 3) {
                const ptrdiff_t left = last - group;
                if (left >= 3) tile(g, block, group, 3, kind);
                else if (left == 2) tile(g, block, group, 2, kind);
                else tile(g, block, group, 1, kind);
            }
        }
    }
}

VNNI void octet_i8gemm_avx512vnni(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                                  ptrdiff_t group_begin, ptrdiff_t group_end) {
    // One copy per epilogue kind, so the stores carry no branches.
    switch (g->epilogue.kind) {
    case OCTET_INT_OUT_8BIT: gemm(g, block_begin, block_end, group_begin, group_end, OCTET_INT_OUT_8BIT); break;
    case OCTET_INT_OUT_F32: gemm(g, block_begin, block_end, group_begin, group_end, OCTET_INT_OUT_F32); break;
    default: gemm(g, block_begin, block_end, group_begin, group_end, OCTET_INT_OUT_I32); break;
    }
}

// octet_i8_pack_rows four groups (64 columns) at a time: the same byte and word interleaves in each 128-bit
// lane, which then holds one group's quarter; a 4x4 transpose of lanes gathers each group's 64 bytes.
VNNI void octet_i8_pack_rows_avx512(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                                    uint8_t flip, uint8_t fill, ptrdiff_t group_begin, ptrdiff_t group_end,
                                    uint8_t *packed) {
    const ptrdiff_t depth4 = (depth + 3) / 4, whole = depth / 4, bs = depth4 * 64;
    const __m512i f = _mm512_set1_epi8((char)flip);
    ptrdiff_t group = group_begin;
    for (; group + 4 <= group_end && (group + 4) * 16 <= columns && whole > 0; group += 4) {
        const uint8_t *src = x + group * 16;
        uint8_t *out = packed + group * bs;
        for (ptrdiff_t kg = 0; kg < whole; kg++, src += 4 * row_stride, out += 64) {
            const __m512i r0 = _mm512_xor_si512(_mm512_loadu_si512(src), f);
            const __m512i r1 = _mm512_xor_si512(_mm512_loadu_si512(src + row_stride), f);
            const __m512i r2 = _mm512_xor_si512(_mm512_loadu_si512(src + 2 * row_stride), f);
            const __m512i r3 = _mm512_xor_si512(_mm512_loadu_si512(src + 3 * row_stride), f);
            const __m512i t0 = _mm512_unpacklo_epi8(r0, r1), t1 = _mm512_unpackhi_epi8(r0, r1);
            const __m512i t2 = _mm512_unpacklo_epi8(r2, r3), t3 = _mm512_unpackhi_epi8(r2, r3);
            // Lane g of a, b, c, d: bytes 0-15, 16-31, 32-47, 48-63 of group g's 64.
            const __m512i a = _mm512_unpacklo_epi16(t0, t2), b = _mm512_unpackhi_epi16(t0, t2);
            const __m512i c = _mm512_unpacklo_epi16(t1, t3), d = _mm512_unpackhi_epi16(t1, t3);
            const __m512i ab02 = _mm512_shuffle_i64x2(a, b, 0x88), ab13 = _mm512_shuffle_i64x2(a, b, 0xDD);
            const __m512i cd02 = _mm512_shuffle_i64x2(c, d, 0x88), cd13 = _mm512_shuffle_i64x2(c, d, 0xDD);
            _mm512_storeu_si512(out, _mm512_shuffle_i64x2(ab02, cd02, 0x88));
            _mm512_storeu_si512(out + bs, _mm512_shuffle_i64x2(ab13, cd13, 0x88));
            _mm512_storeu_si512(out + 2 * bs, _mm512_shuffle_i64x2(ab02, cd02, 0xDD));
            _mm512_storeu_si512(out + 3 * bs, _mm512_shuffle_i64x2(ab13, cd13, 0xDD));
        }
        if (whole < depth4) {
            // The last, partial depth step of these four groups.
            octet_i8_pack_rows_tail(x, row_stride, depth, columns, flip, fill, group, group + 4, packed);
        }
    }
    if (group < group_end) octet_i8_pack_rows(x, row_stride, depth, columns, flip, fill, group, group_end, packed);
}

// Matrix-vector: each 64-byte load of A holds two depth steps of one 8-row block ([8 rows][4 depth] twice),
// so x's 4-byte words for those steps are broadcast to lanes 0-7 and 8-15; the halves are summed at the end.
// Four blocks at a time share each x vector. Integer sums, so the order does not change the bits.
VNNI INLINE __m512i gemv_x(const uint8_t *x, ptrdiff_t k, ptrdiff_t depth4) {
    int32_t lo, hi = 0;
    memcpy(&lo, x + k * 4, 4);
    if (k + 1 < depth4) memcpy(&hi, x + k * 4 + 4, 4);
    return _mm512_mask_set1_epi32(_mm512_set1_epi32(lo), 0xFF00, hi);
}

VNNI INLINE __m256i gemv_sum(__m512i acc) {
    return _mm256_add_epi32(_mm512_castsi512_si256(acc), _mm512_extracti64x4_epi64(acc, 1));
}

VNNI void octet_i8gemv_avx512vnni(const OctetI8GEMM *g, const uint8_t *x, ptrdiff_t block_begin, ptrdiff_t block_end) {
    const ptrdiff_t depth4 = g->depth4, pairs = depth4 / 2, rows = g->rows;
    // The last, unpaired depth step (odd depth4) reads only its own 32 bytes.
    const __mmask16 half = 0x00FF;
    const OctetIntEpilogue e = g->epilogue;
    void *const out = g->c;
    ptrdiff_t block = block_begin;
    for (; block < block_end; block += 4) {
        const ptrdiff_t n = block_end - block < 4 ? block_end - block : 4;
        __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                          _mm512_setzero_si512()};
        const int8_t *a[4];
        for (int j = 0; j < 4; j++) a[j] = g->a + (block + (j < n ? j : 0)) * depth4 * 32;
        for (ptrdiff_t p = 0; p < pairs; p++) {
            const __m512i xv = gemv_x(x, 2 * p, depth4);
            for (int j = 0; j < 4; j++) acc[j] = _mm512_dpbusd_epi32(acc[j], xv, _mm512_loadu_si512(a[j] + p * 64));
        }
        if (depth4 & 1) {
            const __m512i xv = gemv_x(x, depth4 - 1, depth4);
            for (int j = 0; j < 4; j++) {
                acc[j] = _mm512_dpbusd_epi32(acc[j], xv, _mm512_maskz_loadu_epi32(half, a[j] + pairs * 64));
            }
        }
        // Rows block * 8 ... in order: 8 per block, up to 32, then the epilogue 16 at a time.
        int32_t sums[32];
        for (int j = 0; j < 4; j++) _mm256_storeu_si256((__m256i *)(sums + j * 8), gemv_sum(acc[j]));
        const ptrdiff_t r0 = block * 8, left = rows - r0, count = left < n * 8 ? left : n * 8;
        for (ptrdiff_t i = 0; i < count; i += 16) {
            const __mmask16 m = mask_for(count - i);
            const ptrdiff_t r = r0 + i;
            __m512i v = _mm512_add_epi32(_mm512_maskz_loadu_epi32(m, sums + i), _mm512_maskz_loadu_epi32(m, e.bias + r));
            if (e.kind == OCTET_INT_OUT_I32) {
                _mm512_mask_storeu_epi32((int32_t *)out + r, m, v);
                continue;
            }
            __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_maskz_loadu_ps(m, e.scale + r));
            if (e.kind == OCTET_INT_OUT_F32) {
                _mm512_mask_storeu_ps((float *)out + r, m, f);
                continue;
            }
            f = _mm512_min_ps(_mm512_max_ps(f, _mm512_set1_ps(e.lower)), _mm512_set1_ps(e.upper));
            const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), _mm512_set1_epi32(e.zero_point));
            _mm_mask_storeu_epi8((uint8_t *)out + r, m, _mm512_cvtepi32_epi8(q));
        }
    }
}

// Depthwise: 16 output columns per vector. Plane values and weights fit int16, so vpdpwssd of a plane
// value with the weight in the low half (high half zero) adds their exact product in one instruction.
// `taps` is a constant where the caller passes one (3x3 filters), so the weights stay in registers.
VNNI INLINE void depthwise(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets, const int taps,
                           const int32_t *low, ptrdiff_t channel, void *c, ptrdiff_t offset, ptrdiff_t out_height,
                           ptrdiff_t out_width, const OctetIntEpilogue *epilogue) {
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {
        const int32_t *row = plane + oy * row_step;
        ptrdiff_t ox = 0;
        for (; ox + 32 <= out_width; ox += 32) {
            __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
            for (int t = 0; t < taps; t++) {
                const __m512i w = _mm512_set1_epi32(low[t]);
                const int32_t *s = row + ox + offsets[t];
                a0 = _mm512_dpwssd_epi32(a0, _mm512_loadu_si512(s), w);
                a1 = _mm512_dpwssd_epi32(a1, _mm512_loadu_si512(s + 16), w);
            }
            store16(epilogue, channel, a0, c, offset + oy * out_width + ox, 0xFFFF);
            store16(epilogue, channel, a1, c, offset + oy * out_width + ox + 16, 0xFFFF);
        }
        for (; ox < out_width; ox += 16) {
            __m512i a0 = _mm512_setzero_si512();
            for (int t = 0; t < taps; t++) {
                a0 = _mm512_dpwssd_epi32(a0, _mm512_loadu_si512(row + ox + offsets[t]), _mm512_set1_epi32(low[t]));
            }
            store16(epilogue, channel, a0, c, offset + oy * out_width + ox, mask_for(out_width - ox));
        }
    }
}

VNNI void octet_i8_depthwise_avx512(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                    ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                                    ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                                    const OctetIntEpilogue *epilogue_in) {
    // A copy, so stores through `void *c` cannot force the epilogue's fields to be reloaded.
    const OctetIntEpilogue e = *epilogue_in, *epilogue = &e;
    int32_t low[taps];
    for (ptrdiff_t t = 0; t < taps; t++) low[t] = weights[t] & 0xFFFF;
    if (taps == 9) {
        ptrdiff_t o[9];
        for (int t = 0; t < 9; t++) o[t] = offsets[t];
        depthwise(plane, row_step, o, 9, low, channel, c, offset, out_height, out_width, epilogue);
    } else {
        depthwise(plane, row_step, offsets, (int)taps, low, channel, c, offset, out_height, out_width, epilogue);
    }
}

// The depthwise plane, 16 values per step for stride 1; for stride 2 one 32-byte load splits into both
// phases (even bytes of each 16-bit word to phase 0, odd bytes to phase 1). Wider strides use the C loop.
VNNI void octet_i8_phase_plane_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                      ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride_x,
                                      ptrdiff_t phase_width, int32_t *plane) {
    if (stride_x > 2) {
        octet_i8_phase_plane(x, is_signed, zero, height, width, pad_top, pad_left, stride_x, phase_width, plane);
        return;
    }
    const __m512i z = _mm512_set1_epi32(zero), low = _mm512_set1_epi32(0xFF);
    for (ptrdiff_t y = 0; y < height; y++) {
        int32_t *row = plane + (y + pad_top) * stride_x * phase_width;
        const uint8_t *src = x + y * width;
        if (stride_x == 1) {
            for (ptrdiff_t i = 0; i < width; i += 16) {
                const __mmask16 m = mask_for(width - i);
                const __m128i bytes = _mm_maskz_loadu_epi8(m, src + i);
                const __m512i v = is_signed ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
                _mm512_mask_storeu_epi32(row + pad_left + i, m, _mm512_sub_epi32(v, z));
            }
            continue;
        }
        // With an odd left pad, input column 0 is padded column pad_left, phase 1.
        ptrdiff_t i = pad_left & 1;
        if (i) row[phase_width + pad_left / 2] = (is_signed ? (int32_t)(int8_t)src[0] : (int32_t)src[0]) - zero;
        for (; i < width; i += 32) {
            const ptrdiff_t n = width - i < 32 ? width - i : 32;
            const __mmask32 m = n >= 32 ? 0xFFFFFFFFu : ((1u << n) - 1);
            const __m512i words = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi8(m, src + i));
            __m512i even, odd;
            if (is_signed) {
                even = _mm512_srai_epi32(_mm512_slli_epi32(words, 24), 24);
                odd = _mm512_srai_epi32(_mm512_slli_epi32(words, 16), 24);
            } else {
                even = _mm512_and_si512(words, low);
                odd = _mm512_srli_epi32(words, 8);
            }
            const ptrdiff_t j = (i + pad_left) / 2;
            _mm512_mask_storeu_epi32(row + j, mask_for((n + 1) / 2), _mm512_sub_epi32(even, z));
            _mm512_mask_storeu_epi32(row + phase_width + j, mask_for(n / 2), _mm512_sub_epi32(odd, z));
        }
    }
}

// 3x3 depthwise (stride 1 or 2) on an int16 plane: a 32-bit lane of a load at column c holds the values
// of columns c and c + 1, so one vpdpwssd applies two taps. Stride 1: even output columns pair taps 0 and 1
// read at c = ox, odd ones at c = ox + 1, tap 2 alone. Stride 2 keeps even and odd input columns in two
// phases, so taps 0 and 2 are neighbours in the even phase and tap 1 stands alone in the odd one. Either
// way 12 vpdpwssd give 32 outputs (9 taps each) where an int32 plane needs 18; two permutes put the even
// and odd results back in column order.

// Writes input row `src` (width bytes, minus zero) into padded row `row`: one phase for stride 1, the even
// and odd padded columns into two phases (phase_width apart) for stride 2, split from 16-bit words.
VNNI INLINE void fill_row16(int16_t *row, const uint8_t *src, ptrdiff_t width, ptrdiff_t pad_left, int stride,
                            ptrdiff_t phase_width, int is_signed, int32_t zero) {
    const __m512i z = _mm512_set1_epi16((short)zero);
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < width; i += 32) {
            const ptrdiff_t n = width - i < 32 ? width - i : 32;
            const __mmask32 m = n >= 32 ? 0xFFFFFFFFu : ((1u << n) - 1);
            const __m256i bytes = _mm256_maskz_loadu_epi8(m, src + i);
            const __m512i v = is_signed ? _mm512_cvtepi8_epi16(bytes) : _mm512_cvtepu8_epi16(bytes);
            _mm512_mask_storeu_epi16(row + pad_left + i, m, _mm512_sub_epi16(v, z));
        }
        return;
    }
    // With an odd left pad, input column 0 is padded column pad_left, in the odd phase.
    ptrdiff_t i = pad_left & 1;
    if (i) row[phase_width + pad_left / 2] = (int16_t)((is_signed ? (int32_t)(int8_t)src[0] : (int32_t)src[0]) - zero);
    for (; i < width; i += 64) {
        const ptrdiff_t n = width - i < 64 ? width - i : 64;
        const __mmask64 m = n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
        const __m512i words = _mm512_maskz_loadu_epi8(m, src + i);
        const __m512i even = is_signed ? _mm512_srai_epi16(_mm512_slli_epi16(words, 8), 8)
                                       : _mm512_and_si512(words, _mm512_set1_epi16(0xFF));
        const __m512i odd = is_signed ? _mm512_srai_epi16(words, 8) : _mm512_srli_epi16(words, 8);
        const ptrdiff_t j = (i + pad_left) / 2, ne = (n + 1) / 2, no = n / 2;
        const __mmask32 me = ne >= 32 ? 0xFFFFFFFFu : ((1u << ne) - 1), mo = no >= 32 ? 0xFFFFFFFFu : ((1u << no) - 1);
        _mm512_mask_storeu_epi16(row + j, me, _mm512_sub_epi16(even, z));
        _mm512_mask_storeu_epi16(row + phase_width + j, mo, _mm512_sub_epi16(odd, z));
    }
}

// One channel's epilogue in registers (the depthwise kernels write one channel per call).
typedef struct {
    __m512i bias, zero_point;
    __m512 scale, lower, upper;
} ChannelEpilogue;

VNNI INLINE ChannelEpilogue channel_epilogue(const OctetIntEpilogue *e, const int kind, ptrdiff_t channel) {
    ChannelEpilogue ce;
    ce.bias = _mm512_set1_epi32(e->bias[channel]);
    ce.scale = _mm512_set1_ps(kind == OCTET_INT_OUT_I32 ? 0.0f : e->scale[channel]);
    ce.lower = _mm512_set1_ps(e->lower);
    ce.upper = _mm512_set1_ps(e->upper);
    ce.zero_point = _mm512_set1_epi32(e->zero_point);
    return ce;
}

// store16k with the channel's values already broadcast: the same operations in the same order.
VNNI INLINE void store_channel(const ChannelEpilogue *ce, const int kind, __m512i acc, void *c, ptrdiff_t i,
                               __mmask16 m) {
    acc = _mm512_add_epi32(acc, ce->bias);
    if (kind == OCTET_INT_OUT_I32) {
        _mm512_mask_storeu_epi32((int32_t *)c + i, m, acc);
        return;
    }
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), ce->scale);
    if (kind == OCTET_INT_OUT_F32) {
        _mm512_mask_storeu_ps((float *)c + i, m, v);
        return;
    }
    v = _mm512_min_ps(_mm512_max_ps(v, ce->lower), ce->upper);
    __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), ce->zero_point);
    _mm_mask_storeu_epi8((uint8_t *)c + i, m, _mm512_cvtepi32_epi8(q));
}

// The 3x3 products and stores, `stride` and `kind` constants in each copy.
VNNI INLINE void depthwise3x3(const int16_t *plane, ptrdiff_t phase_width, const int32_t *weights,
                              const ChannelEpilogue *ce, void *c, ptrdiff_t offset, ptrdiff_t out_height,
                              ptrdiff_t out_width, const int stride, const int kind) {
    const ptrdiff_t row_stride = stride * phase_width;
    // Stride 1: pair (w0, w1), single w2 two columns on. Stride 2: pair (w0, w2) in the even phase, single
    // w1 in the odd phase at the same index.
    const int second = stride == 1 ? 1 : 2, alone = stride == 1 ? 2 : 1;
    const ptrdiff_t single_at = stride == 1 ? 2 : phase_width;
    __m512i pair[3], single[3];
    for (int ky = 0; ky < 3; ky++) {
        pair[ky] = _mm512_set1_epi32((int32_t)((uint32_t)(uint16_t)weights[ky * 3] |
                                               (uint32_t)(uint16_t)weights[ky * 3 + second] << 16));
        single[ky] = _mm512_set1_epi32((int32_t)(uint16_t)weights[ky * 3 + alone]);
    }
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    if (stride == 1 && phase_width == 16) {
        // Narrow rows (14 wide and less) in 16-column rows: one 32-column step covers two output rows.
        for (ptrdiff_t oy = 0; oy < out_height; oy += 2) {
            __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
            for (int ky = 0; ky < 3; ky++) {
                const int16_t *r = plane + (oy + ky) * 16;
                even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(r), pair[ky]);
                even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(r + 2), single[ky]);
                odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(r + 1), pair[ky]);
                odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(r + 3), single[ky]);
            }
            const ptrdiff_t i = offset + oy * out_width;
            store_channel(ce, kind, _mm512_permutex2var_epi32(even, low, odd), c, i, mask_for(out_width));
            if (oy + 1 < out_height) {
                store_channel(ce, kind, _mm512_permutex2var_epi32(even, high, odd), c, i + out_width,
                              mask_for(out_width));
            }
        }
        return;
    }
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {
        for (ptrdiff_t ox = 0; ox < out_width; ox += 32) {
            __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
            for (int ky = 0; ky < 3; ky++) {
                const int16_t *r = plane + (oy * stride + ky) * row_stride + ox;
                even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(r), pair[ky]);
                even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(r + single_at), single[ky]);
                odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(r + 1), pair[ky]);
                odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(r + single_at + 1), single[ky]);
            }
            const ptrdiff_t i = offset + oy * out_width + ox;
            store_channel(ce, kind, _mm512_permutex2var_epi32(even, low, odd), c, i, mask_for(out_width - ox));
            if (out_width - ox > 16) {
                store_channel(ce, kind, _mm512_permutex2var_epi32(even, high, odd), c, i + 16,
                              mask_for(out_width - ox - 16));
            }
        }
    }
}

VNNI void octet_i8_depthwise3x3_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                       ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride,
                                       int16_t *plane, ptrdiff_t phase_width, const int32_t *weights,
                                       ptrdiff_t channel, void *c, ptrdiff_t offset, ptrdiff_t out_height,
                                       ptrdiff_t out_width, const OctetIntEpilogue *epilogue) {
    const ptrdiff_t row_stride = stride * phase_width;
    for (ptrdiff_t y = 0; y < height; y++) {
        if (is_signed) {
            fill_row16(plane + (y + pad_top) * row_stride, x + y * width, width, pad_left, (int)stride,
                       phase_width, 1, zero);
        } else {
            fill_row16(plane + (y + pad_top) * row_stride, x + y * width, width, pad_left, (int)stride,
                       phase_width, 0, zero);
        }
    }
    // One copy per stride and epilogue kind, so the inner loops carry no branches on them.
#define DW3X3(S, K)                                                                                          \
    do {                                                                                                     \
        const ChannelEpilogue ce = channel_epilogue(epilogue, K, channel);                                   \
        depthwise3x3(plane, phase_width, weights, &ce, c, offset, out_height, out_width, S, K);              \
    } while (0)
    const int kind = epilogue->kind;
    if (stride == 1) {
        if (kind == OCTET_INT_OUT_8BIT) DW3X3(1, OCTET_INT_OUT_8BIT);
        else if (kind == OCTET_INT_OUT_F32) DW3X3(1, OCTET_INT_OUT_F32);
        else DW3X3(1, OCTET_INT_OUT_I32);
    } else {
        if (kind == OCTET_INT_OUT_8BIT) DW3X3(2, OCTET_INT_OUT_8BIT);
        else if (kind == OCTET_INT_OUT_F32) DW3X3(2, OCTET_INT_OUT_F32);
        else DW3X3(2, OCTET_INT_OUT_I32);
    }
#undef DW3X3
}

// Stride-2 3x3 depthwise for narrow planes (the 14- and 7-wide outputs of late layers), where a 32-column
// step of the wide kernel would be mostly idle: the padded input is split by row and column parity into
// four sub-planes with rows of `sub_width` (8 or 16) int16, so output rows oy and oy + 1 read adjacent
// sub-rows and one load covers 32 / sub_width output rows. Taps pair as in the wide stride-2 kernel.
VNNI INLINE void depthwise3x3s2_narrow(const int16_t *plane, ptrdiff_t sub_width, ptrdiff_t sub_count,
                                       const int32_t *weights, const ChannelEpilogue *ce, void *c, ptrdiff_t offset,
                                       ptrdiff_t out_height, ptrdiff_t out_width, const int kind) {
    __m512i pair[3], single[3];
    for (int ky = 0; ky < 3; ky++) {
        pair[ky] = _mm512_set1_epi32((int32_t)((uint32_t)(uint16_t)weights[ky * 3] |
                                               (uint32_t)(uint16_t)weights[ky * 3 + 2] << 16));
        single[ky] = _mm512_set1_epi32((int32_t)(uint16_t)weights[ky * 3 + 1]);
    }
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    // Lanes of a 16-output half that hold real columns: one row of 16, or two rows of 8.
    const __mmask16 row = (__mmask16)((1u << out_width) - 1);
    const __mmask16 valid = sub_width == 16 ? row : (__mmask16)(row | row << 8);
    const ptrdiff_t rows_per_half = 16 / sub_width, step = 2 * rows_per_half;
    for (ptrdiff_t oy = 0; oy < out_height; oy += step) {
        __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
        for (int ky = 0; ky < 3; ky++) {
            // Padded input row 2 * oy + ky: row parity ky & 1, sub-row oy + ky / 2.
            const int16_t *e = plane + (ky & 1) * 2 * sub_count + (oy + ky / 2) * sub_width;
            const int16_t *o = e + sub_count;
            even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(e), pair[ky]);
            even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(o), single[ky]);
            odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(e + 1), pair[ky]);
            odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(o + 1), single[ky]);
        }
        const __m512i halves[2] = {_mm512_permutex2var_epi32(even, low, odd), _mm512_permutex2var_epi32(even, high, odd)};
        for (int h = 0; h < 2; h++) {
            const ptrdiff_t first = oy + h * rows_per_half;
            if (first >= out_height) break;
            const ptrdiff_t rows = out_height - first < rows_per_half ? out_height - first : rows_per_half;
            const __mmask16 keep = rows == rows_per_half ? valid : row;
            // Output rows are contiguous in c: drop the idle lanes between them.
            const __m512i packed = _mm512_maskz_compress_epi32(keep, halves[h]);
            store_channel(ce, kind, packed, c, offset + first * out_width, mask_for(rows * out_width));
        }
    }
}

VNNI void octet_i8_depthwise3x3s2_narrow_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                                ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left,
                                                int16_t *plane, ptrdiff_t sub_width, ptrdiff_t sub_rows,
                                                const int32_t *weights, ptrdiff_t channel, void *c, ptrdiff_t offset,
                                                ptrdiff_t out_height, ptrdiff_t out_width,
                                                const OctetIntEpilogue *epilogue) {
    const ptrdiff_t sub_count = sub_rows * sub_width;
    for (ptrdiff_t y = 0; y < height; y++) {
        const ptrdiff_t r = y + pad_top;
        int16_t *target = plane + (r & 1) * 2 * sub_count + (r >> 1) * sub_width;
        if (is_signed) fill_row16(target, x + y * width, width, pad_left, 2, sub_count, 1, zero);
        else fill_row16(target, x + y * width, width, pad_left, 2, sub_count, 0, zero);
    }
    const int kind = epilogue->kind;
    const ChannelEpilogue ce = channel_epilogue(epilogue, kind, channel);
    if (kind == OCTET_INT_OUT_8BIT)
        depthwise3x3s2_narrow(plane, sub_width, sub_count, weights, &ce, c, offset, out_height, out_width,
                              OCTET_INT_OUT_8BIT);
    else if (kind == OCTET_INT_OUT_F32)
        depthwise3x3s2_narrow(plane, sub_width, sub_count, weights, &ce, c, offset, out_height, out_width,
                              OCTET_INT_OUT_F32);
    else
        depthwise3x3s2_narrow(plane, sub_width, sub_count, weights, &ce, c, offset, out_height, out_width,
                              OCTET_INT_OUT_I32);
}

#else

void octet_i8gemm_avx512vnni(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                             ptrdiff_t group_begin, ptrdiff_t group_end) {
    octet_i8gemm_portable(g, block_begin, block_end, group_begin, group_end);
}

void octet_i8gemv_avx512vnni(const OctetI8GEMM *g, const uint8_t *x, ptrdiff_t block_begin, ptrdiff_t block_end) {
    // Unreachable: octet_cpu_has_avx512_vnni() is 0 here, and callers check it first.
    (void)g; (void)x; (void)block_begin; (void)block_end;
    __builtin_trap();
}

void octet_i8_depthwise_avx512(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                               ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                               ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                               const OctetIntEpilogue *epilogue) {
    octet_i8_depthwise_portable(plane, row_step, offsets, taps, weights, channel, c, offset, out_height,
                                out_width, epilogue);
}

void octet_i8_phase_plane_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                 ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride_x,
                                 ptrdiff_t phase_width, int32_t *plane) {
    octet_i8_phase_plane(x, is_signed, zero, height, width, pad_top, pad_left, stride_x, phase_width, plane);
}

void octet_i8_pack_rows_avx512(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                               uint8_t flip, uint8_t fill, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed) {
    octet_i8_pack_rows(x, row_stride, depth, columns, flip, fill, group_begin, group_end, packed);
}

void octet_i8_depthwise3x3s2_narrow_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                           ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, int16_t *plane,
                                           ptrdiff_t sub_width, ptrdiff_t sub_rows, const int32_t *weights,
                                           ptrdiff_t channel, void *c, ptrdiff_t offset, ptrdiff_t out_height,
                                           ptrdiff_t out_width, const OctetIntEpilogue *epilogue) {
    // Unreachable: octet_cpu_has_avx512_vnni() is 0 here, and callers check it first.
    (void)x; (void)is_signed; (void)zero; (void)height; (void)width; (void)pad_top; (void)pad_left; (void)plane;
    (void)sub_width; (void)sub_rows; (void)weights; (void)channel; (void)c; (void)offset; (void)out_height;
    (void)out_width; (void)epilogue;
    __builtin_trap();
}

void octet_i8_depthwise3x3_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                  ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride,
                                  int16_t *plane, ptrdiff_t phase_width, const int32_t *weights, ptrdiff_t channel,
                                  void *c, ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                                  const OctetIntEpilogue *epilogue) {
    // Unreachable: octet_cpu_has_avx512_vnni() is 0 here, and callers check it first.
    (void)x; (void)is_signed; (void)zero; (void)height; (void)width; (void)pad_top; (void)pad_left; (void)plane;
    (void)stride; (void)phase_width; (void)weights; (void)channel; (void)c; (void)offset; (void)out_height; (void)out_width;
    (void)epilogue;
    __builtin_trap();
}

#endif
