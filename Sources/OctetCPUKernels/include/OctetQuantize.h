#ifndef OCTET_QUANTIZE_H
#define OCTET_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = saturate(round_half_even(x[i] / scale) + zero_point) as uint8 bytes, then ^ flip (flip 0x80
/// stores int8: the uint8 range [0, 255] with zero point + 128 is the int8 range moved). NaN becomes the zero
/// point. `avx2` nonzero uses AVX2 (only when octet_cpu_has_avx2_fma() is 1); otherwise portable C.
void octet_quantize_u8(const float *x, uint8_t *out, ptrdiff_t count, float scale, int32_t zero_point, uint8_t flip,
                       int avx2);

#ifdef __cplusplus
}
#endif

#endif
