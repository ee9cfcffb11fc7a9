#ifndef OCTET_ELEMENTWISE_H
#define OCTET_ELEMENTWISE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The float binary operations of octet_f32_binary.
enum { OCTET_F32_ADD = 0, OCTET_F32_SUB = 1, OCTET_F32_MUL = 2, OCTET_F32_DIV = 3 };

/// out[i] = x[i] op y[i] for i < n, where an operand flagged `_one` is the single value it points to; then,
/// when `clamp`, values below lo become lo and values above hi become hi (a NaN stays NaN). Every lane is
/// one IEEE operation, so the AVX-512 path (`avx512` and octet_cpu_has_avx512f()) and the portable path
/// give the same bits. out may be x or y.
void octet_f32_binary(int op, const float *x, int x_one, const float *y, int y_one, float *out, ptrdiff_t n,
                      int clamp, float lo, float hi, int avx512);

#ifdef __cplusplus
}
#endif

#endif
