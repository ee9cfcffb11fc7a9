#ifndef OCTET_INTEGER_KERNELS_H
#define OCTET_INTEGER_KERNELS_H

// Integer (u8 x s8 -> exact int32) convolution and GEMM kernels: a portable C version of each, plus AVX2
// and AVX-512 VNNI versions on x86_64. Only call a vector version when its octet_cpu_has_* check is 1.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What becomes of an int32 accumulator `acc` of output row (channel) `r`, after `acc += bias[r]`.
typedef struct {
    /// Per row, added first: the layer's bias minus the zero-point correction folded in at preparation.
    const int32_t *bias;
    /// Per row: the requantize ratio or the dequantize scale (unused for OCTET_INT_OUT_I32).
    const float *scale;
    /// One of OCTET_INT_OUT_*.
    int kind;
    /// OCTET_INT_OUT_8BIT: the clamp of Float(acc) * scale before rounding, (lower - zero_point) and
    /// (upper - zero_point); both are integers within 8-bit range of zero_point.
    float lower;
    float upper;
    int32_t zero_point;
} OctetIntEpilogue;

/// int32 outputs: acc.
#define OCTET_INT_OUT_I32 0
/// float outputs: Float(acc) * scale.
#define OCTET_INT_OUT_F32 1
/// 8-bit outputs (int8 or uint8, the same bits): round_half_even(clamp(Float(acc) * scale)) + zero_point.
#define OCTET_INT_OUT_8BIT 2

/// One integer GEMM: C[r][p] = epilogue(sum over k of A[r][k] * B[k][p]) for r < rows, p < columns.
///
/// A (weights, signed) is packed in blocks of 8 rows: block i holds depth4 groups of [8 rows][4 k] int8
/// (`a`), and for AVX2 the same values as int16 pairs [8 rows][(k0,k2),(k1,k3)] (`a_pairs`). B (activations,
/// unsigned) is packed in groups of 16 columns: group j holds depth4 slices of [16 columns][4 k] uint8.
/// Rows and depth past the matrix are zero in A. C has row stride ldc elements; its element is int32,
/// float or one byte by the epilogue's kind.
typedef struct {
    const int8_t *a;
    const int32_t *a_pairs;
    const uint8_t *b;
    ptrdiff_t rows;
    ptrdiff_t columns;
    ptrdiff_t depth4;
    void *c;
    ptrdiff_t ldc;
    OctetIntEpilogue epilogue;
} OctetI8GEMM;

/// Computes the rows of 8-row blocks [block_begin, block_end) and the columns of 16-column groups
/// [group_begin, group_end) of `g`.
void octet_i8gemm_portable(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                           ptrdiff_t group_begin, ptrdiff_t group_end);
/// As octet_i8gemm_portable; only call when octet_cpu_has_avx2_fma() is 1.
void octet_i8gemm_avx2(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                       ptrdiff_t group_begin, ptrdiff_t group_end);
/// As octet_i8gemm_portable; only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8gemm_avx512vnni(const OctetI8GEMM *g, ptrdiff_t block_begin, ptrdiff_t block_end,
                             ptrdiff_t group_begin, ptrdiff_t group_end);

/// One column (a matrix-vector product) of `g`, rows of 8-row blocks [block_begin, block_end): g->b is
/// ignored; `x` holds the depth4 * 4 activation bytes (already flipped to uint8, zero past the depth) and
/// the results go to element `row` of g->c (ldc is unused). AVX-512 VNNI only.
void octet_i8gemv_avx512vnni(const OctetI8GEMM *g, const uint8_t *x, ptrdiff_t block_begin, ptrdiff_t block_end);

/// Packs columns [group_begin * 16, group_end * 16) of B = x (rows = depth, row stride `row_stride` bytes,
/// `columns` valid columns) into OctetI8GEMM's B layout at `packed` (which points at group 0). Each byte is
/// xor'ed with `flip` (0x80 turns int8 into uint8 + 128); columns past `columns` and rows past `depth`
/// hold `fill`.
void octet_i8_pack_rows(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                        uint8_t flip, uint8_t fill, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed);

/// octet_i8_pack_rows for only the last depth step, when depth is not a multiple of 4.
void octet_i8_pack_rows_tail(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                             uint8_t flip, uint8_t fill, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed);
/// As octet_i8_pack_rows, 64 columns per step; only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8_pack_rows_avx512(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                               uint8_t flip, uint8_t fill, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed);

/// Packs B = x (rows = depth, row stride `row_stride` bytes, `columns` columns) for
/// octet_i8gemm_channel_lanes_avx512: depth step k4 holds [columns][4 k] bytes at packed + k4 * columns * 4,
/// each byte xor'ed with `flip`; depth past `depth` holds 0. Writes steps [depth4_begin, depth4_end) only.
/// Only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8_pack_pixels_avx512(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                                 uint8_t flip, ptrdiff_t depth4_begin, ptrdiff_t depth4_end, uint8_t *packed);

/// Rows [16 * vector_begin, 16 * vector_end) of `g` (clipped to g->rows), every column, with 16 rows in the
/// vector lanes: the bits of octet_i8gemm_portable. g->b holds B as octet_i8_pack_pixels_avx512 packs it,
/// not in 16-column groups; the epilogue must be OCTET_INT_OUT_8BIT. Only call when
/// octet_cpu_has_avx512_vnni() is 1.
void octet_i8gemm_channel_lanes_avx512(const OctetI8GEMM *g, ptrdiff_t vector_begin, ptrdiff_t vector_end);

/// Packs im2col columns into OctetI8GEMM's B layout: B[k][p] = source[k_offsets[k] + p_offsets[p]]
/// (already flipped to uint8). k_offsets has depth4 * 4 entries, p_offsets group_end * 16.
void octet_i8_pack_gather(const uint8_t *source, const ptrdiff_t *k_offsets, const ptrdiff_t *p_offsets,
                          ptrdiff_t depth4, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed);

/// As octet_i8_pack_gather, with vector loads for groups whose columns are at most two runs of stride 1 or 2;
/// only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8_pack_gather_avx512(const uint8_t *source, const ptrdiff_t *k_offsets, const ptrdiff_t *p_offsets,
                                 ptrdiff_t depth4, ptrdiff_t group_begin, ptrdiff_t group_end, uint8_t *packed);

/// Packs columns of a row-major x [columns][depth] (row stride `row_stride` bytes: a dense layer's input)
/// into OctetI8GEMM's B layout, xor'ing with `flip`; depth past `depth` and columns past `columns` hold 0.
void octet_i8_pack_columns(const uint8_t *x, ptrdiff_t row_stride, ptrdiff_t depth, ptrdiff_t columns,
                           uint8_t flip, ptrdiff_t depth4, ptrdiff_t group_begin, ptrdiff_t group_end,
                           uint8_t *packed);

/// Writes x (height x width bytes, int8 when `is_signed`) minus `zero` as int32 into a zero-padded plane
/// split by column phase: padded column c = input column + pad_left goes to phase c % stride_x, index
/// c / stride_x; row r = input row + pad_top has stride stride_x * phase_width. Padding is left untouched
/// (write zeros there once).
void octet_i8_phase_plane(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height, ptrdiff_t width,
                          ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride_x, ptrdiff_t phase_width,
                          int32_t *plane);
/// As octet_i8_phase_plane; only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8_phase_plane_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                 ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride_x,
                                 ptrdiff_t phase_width, int32_t *plane);

/// One depthwise output plane: acc[oy][ox] = sum over t of weights[t] * plane[oy * row_step + ox +
/// offsets[t]], then the epilogue of row `channel`, stored at c + offset (elements) with row stride
/// out_width. Weights and plane values must fit int16. Plane rows must be readable up to out_width rounded
/// up to 16 past every tap offset.
void octet_i8_depthwise_portable(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                 ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                                 ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                                 const OctetIntEpilogue *epilogue);
/// As octet_i8_depthwise_portable; only call when octet_cpu_has_avx2_fma() is 1.
void octet_i8_depthwise_avx2(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                             ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                             ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                             const OctetIntEpilogue *epilogue);
/// As octet_i8_depthwise_portable; only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8_depthwise_avx512(const int32_t *plane, ptrdiff_t row_step, const ptrdiff_t *offsets,
                               ptrdiff_t taps, const int32_t *weights, ptrdiff_t channel, void *c,
                               ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                               const OctetIntEpilogue *epilogue);

/// A whole 3x3, dilation-1, stride-1 or stride-2 (both axes) depthwise output plane of one channel, from
/// its 8-bit input x (height x width, int8 when `is_signed`, `zero` subtracted). First fills the int16
/// plane's interior: padded row r at r * stride * phase_width, for stride 2 split into even and odd padded
/// columns (phase_width apart). phase_width must reach out_width rounded up to 32, plus 3, except that
/// phase_width 16 with stride 1 (out_width <= 14) computes two output rows per step and then needs
/// out_height + 4 rows; padding rows and columns must hold zeros. Then stores the epilogue of row `channel`
/// at c + offset (elements).
/// Only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8_depthwise3x3_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                  ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t stride,
                                  int16_t *plane, ptrdiff_t phase_width, const int32_t *weights, ptrdiff_t channel,
                                  void *c, ptrdiff_t offset, ptrdiff_t out_height, ptrdiff_t out_width,
                                  const OctetIntEpilogue *epilogue);

/// The stride-2 3x3 depthwise of octet_i8_depthwise3x3_avx512 for narrow planes: out_width < sub_width
/// (8 or 16) and width + pad_left <= 2 * sub_width. `plane` holds four sub-planes of sub_rows rows of
/// sub_width int16 (padded rows and columns split by parity: row parity, then column parity), zero where
/// no input value lands; sub_rows must reach out_height rounded up to 32 / sub_width rows, plus 2, and
/// (height + pad_top + 1) / 2. Only call when octet_cpu_has_avx512_vnni() is 1.
void octet_i8_depthwise3x3s2_narrow_avx512(const uint8_t *x, int is_signed, int32_t zero, ptrdiff_t height,
                                           ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, int16_t *plane,
                                           ptrdiff_t sub_width, ptrdiff_t sub_rows, const int32_t *weights,
                                           ptrdiff_t channel, void *c, ptrdiff_t offset, ptrdiff_t out_height,
                                           ptrdiff_t out_width, const OctetIntEpilogue *epilogue);

#ifdef __cplusplus
}
#endif

#endif
