#ifndef OCTET_QLINEAR_ADD_H
#define OCTET_QLINEAR_ADD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = clamp(round_half_even(fma(A, ra, fma(B, rb, fixed))), lower, upper) over uint8 values, where
/// A = a[i] ^ flip and B = b[i] ^ flip, and the result is stored ^ flip (flip 0x80 runs int8 data as the
/// uint8 values onnxruntime computes with). The fused multiply-adds are onnxruntime's QLinearAdd order.
/// `isa` 2 uses AVX-512F (only when octet_cpu_has_avx512f() is 1), 1 AVX2+FMA (only when
/// octet_cpu_has_avx2_fma() is 1), 0 portable C with fmaf; all give the same bits.
void octet_qlinear_add_u8(const uint8_t *a, const uint8_t *b, uint8_t *out, ptrdiff_t count, uint8_t flip,
                          float ra, float rb, float fixed, int32_t lower, int32_t upper, int isa);

#ifdef __cplusplus
}
#endif

#endif
