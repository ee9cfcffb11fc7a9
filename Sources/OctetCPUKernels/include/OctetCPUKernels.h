#ifndef OCTET_CPU_KERNELS_H
#define OCTET_CPU_KERNELS_H

// Float micro-kernels compiled for AVX2 and FMA (and AVX-512 F), called from OctetCPU's fast paths when the CPU has both.
// Every function here compiles on every platform; off x86_64 the kernels are absent and
// octet_cpu_has_avx2_fma() returns 0, so callers stay on their portable Swift loops. The integer (int8)
// kernels are declared in OctetIntegerKernels.h.

#include <stddef.h>
#include "OctetIntegerKernels.h"

#include "OctetQLinearAdd.h"
#include "OctetQuantize.h"
#include "OctetElementwise.h"

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU (and its operating system) runs AVX2 and FMA instructions, else 0.
int octet_cpu_has_avx2_fma(void);

/// 1 when this CPU (and its operating system) runs AVX-512 F instructions, else 0.
int octet_cpu_has_avx512f(void);

/// 1 when this CPU (and its operating system) runs AVX-512 F, BW, VL and VNNI instructions, else 0.
int octet_cpu_has_avx512_vnni(void);

/// Keeps freed large blocks in the C heap for reuse instead of returning them to the kernel (glibc's
/// mallopt); 1 when applied, 0 where the C library has no such setting. Process-wide.
int octet_retain_freed_heap(void);

/// One part of a parallel job: `index` in 0..<parts.
typedef void (*octet_task_fn)(void *context, ptrdiff_t index);

/// Runs fn(context, i) for every i in 0..<parts on the calling thread and up to threads - 1 pooled workers,
/// returning when all are done; 1 when it ran, 0 when it did not (the pool is busy with another caller's
/// job, or no worker could be started) and the caller must run the parts itself.
int octet_parallel_run(ptrdiff_t parts, ptrdiff_t threads, octet_task_fn fn, void *context);

/// How a GEMM tile's accumulators start and end.
typedef struct {
    /// Six per-row biases (tile rows), always readable.
    const float *row_bias;
    /// Sixteen per-column biases (tile columns), always readable.
    const float *column_bias;
    /// Values laid out like C (row stride ldc) added to the biases (a residual connection), or null.
    const float *addend;
    /// Nonzero: start from the values in C (a later K block) instead of the biases and addend.
    int accumulate;
    /// Nonzero: clamp the results to [lower, upper] (a NaN stays NaN).
    int clamp;
    float lower;
    float upper;
} OctetTileEpilogue;

/// C[0..<rows][0..<columns] (row stride ldc) = start + sum over k of A[k][r] * B[k][c], for a 6 x 16 tile.
///
/// `a` holds depth x 6 floats (a packed 6-row panel), `b` depth x 16 floats (a packed 16-column panel);
/// rows <= 6 and columns <= 16 of C are read and written, the rest of the tile is computed and dropped.
/// Only call when octet_cpu_has_avx2_fma() is 1.
void octet_sgemm_tile_6x16_avx2(ptrdiff_t depth, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                ptrdiff_t rows, ptrdiff_t columns, const OctetTileEpilogue *epilogue);

/// The AVX-512 tile: up to four 6 x 16 tiles side by side, C[0..<rows][0..<columns] for columns <= 64.
///
/// `a` as above; B[k][16q + j] is at b + q * panel_stride + k * b_step + j (packed panels: b_step 16,
/// panel_stride depth x 16; a row-major matrix read in place: b_step its row length, panel_stride 16).
/// Only the valid columns of B are read. `epilogue->column_bias` is readable for ceil(columns / 16) * 16
/// columns. Only call when octet_cpu_has_avx512f() is 1.
void octet_sgemm_tile_6x64_avx512(ptrdiff_t depth, const float *a, const float *b, ptrdiff_t b_step,
                                  ptrdiff_t panel_stride, float *c, ptrdiff_t ldc, ptrdiff_t rows, ptrdiff_t columns,
                                  const OctetTileEpilogue *epilogue);

/// The AVX-512 tile with A read where it lies and C stored transposed: A[r][k] at a + k * a_step + r (a
/// packed panel: a_step 6; an NCHW plane of pixels: a_step its pixel count), B in packed panels (as above,
/// b_step 16), and C's element (r, j) at c + j * ldc + r. `epilogue->row_bias` and `column_bias` keep
/// their meaning for (r, j); `addend` is laid out like C. Only A's first `rows` rows are read (a plane's
/// last, partial panel is read in place). Only call when octet_cpu_has_avx512f() is 1.
void octet_sgemm_tile_6x64t_avx512(ptrdiff_t depth, const float *a, ptrdiff_t a_step, const float *b,
                                   ptrdiff_t panel_stride, float *c, ptrdiff_t ldc, ptrdiff_t rows, ptrdiff_t columns,
                                   const OctetTileEpilogue *epilogue);

/// One output plane of a depthwise convolution from a zero-padded input plane.
///
/// out[oy][ox] = clamp(bias + sum over t of weights[t] * padded[oy * row_step + ox + offsets[t]]) for
/// oy < out_height, ox < out_width (row stride out_width). Every padded row must be readable up to
/// out_width rounded up to a multiple of 8 past each tap offset. `clamp` nonzero clamps to [lower, upper].
/// Only call when octet_cpu_has_avx2_fma() is 1.
void octet_depthwise_plane_avx2(const float *padded, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                ptrdiff_t taps, const float *weights, float bias, float *out,
                                ptrdiff_t out_height, ptrdiff_t out_width, int clamp, float lower, float upper);

/// octet_depthwise_plane_avx2 with 16 outputs per step: padded rows must be readable up to out_width
/// rounded up to a multiple of 16 past each tap offset. Only call when octet_cpu_has_avx512f() is 1.
void octet_depthwise_plane_avx512(const float *padded, ptrdiff_t row_step, const ptrdiff_t *offsets,
                                  ptrdiff_t taps, const float *weights, float bias, float *out,
                                  ptrdiff_t out_height, ptrdiff_t out_width, int clamp, float lower, float upper);

/// A depthwise convolution's geometry for octet_depthwise_lanes_avx512.
typedef struct {
    ptrdiff_t height, width, out_height, out_width;
    ptrdiff_t kernel_height, kernel_width, stride_y, stride_x, dilation_y, dilation_x, pad_top, pad_left;
    /// The zero-padded plane the taps read: (out_height - 1) * stride_y + (kernel_height - 1) * dilation_y + 1
    /// rows (at least pad_top + height), likewise columns.
    ptrdiff_t padded_height, padded_width;
    /// Nonzero: clamp the results to [lower, upper] (a NaN stays NaN).
    int clamp;
    float lower, upper;
} OctetDepthwiseLanes;

/// Up to 16 channels of a depthwise convolution (one filter per channel) with one channel per vector lane.
///
/// `input`: `channels` planes of height x width (NCHW); `weights`: taps x 16 floats, tap t of lane c at
/// t * 16 + c (kernel rows, then columns); `bias`: `channels` values or null; `out`: `channels` planes of
/// out_height x out_width. `scratch` holds padded_height x padded_width x 16 floats, zero where padding is
/// (only the inside is written, so one zeroed scratch serves every group of a layer), and `results`
/// out_height x out_width x 16. Only call when octet_cpu_has_avx512f() is 1.
void octet_depthwise_lanes_avx512(const OctetDepthwiseLanes *geometry, const float *input, ptrdiff_t channels,
                                  const float *weights, const float *bias, float *out, float *scratch,
                                  float *results);

/// The integer form of octet_depthwise_lanes_avx512: up to 16 channels of an integer depthwise convolution
/// with one channel per lane. `x`: `channels` planes of height x width bytes (int8 when `is_signed`), less
/// `zero`; `weights`: taps x 16 int32, tap t of lane c at t * 16 + c, each weight in the low 16 bits and
/// zero above; lane c takes epilogue row `first + c`, and its output plane goes to element c * out_height *
/// out_width of `out` (elements of the epilogue's kind). `scratch` holds padded_height x padded_width x 16
/// int32, zero where padding is (only the inside is written); `results` out_height x out_width x 16 int32.
/// Uses the geometry's sizes, pads, strides and dilations, not its clamp. Only call when
/// octet_cpu_has_avx512_vnni() is 1.
void octet_i8_depthwise_lanes_avx512(const OctetDepthwiseLanes *geometry, const uint8_t *x, int is_signed,
                                     int32_t zero, ptrdiff_t channels, const int32_t *weights, ptrdiff_t first,
                                     void *out, int32_t *scratch, int32_t *results, const OctetIntEpilogue *epilogue);

/// One output plane of a depthwise convolution read straight from its input plane (height x width, no
/// padded copy): the bits of octet_depthwise_plane_avx512 on the zero-padded plane. Uses the geometry's
/// sizes, strides, dilations, pads and clamp (not padded_height/width). Requires stride_x 1 or 2,
/// kernel_height <= 16 and kernel_height * kernel_width <= 64. `weights`: the channel's taps, kernel rows
/// then columns. Only call when octet_cpu_has_avx512f() is 1.
void octet_depthwise_direct_avx512(const OctetDepthwiseLanes *geometry, const float *input, const float *weights,
                                   float bias, float *out);

/// For each of `rows` rows: dst[i] = src[i * stride] for i < count, then src += src_row_step and
/// dst += dst_row_step. Reads src[0 ..< (count - 1) * stride + 1] of each row only. `avx512` nonzero
/// (only when octet_cpu_has_avx512f() is 1) deinterleaves stride 2 with vector permutes.
void octet_copy_rows_strided(const float *src, ptrdiff_t src_row_step, ptrdiff_t stride, ptrdiff_t count,
                             ptrdiff_t rows, float *dst, ptrdiff_t dst_row_step, int avx512);

#ifdef __cplusplus
}
#endif

#endif
