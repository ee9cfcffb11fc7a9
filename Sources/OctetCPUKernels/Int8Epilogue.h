#ifndef OCTET_INT8_EPILOGUE_H
#define OCTET_INT8_EPILOGUE_H

// The scalar epilogue shared by the portable kernels and the vector kernels' ragged edges. It must give the
// same bits as the vector ones: Float(acc) rounds to nearest even, one multiply, no FMA.

#include "OctetIntegerKernels.h"

/// Stores epilogue(acc) of row `row` as element `i` of c.
static inline void octet_int_store(const OctetIntEpilogue *e, ptrdiff_t row, int32_t acc, void *c, ptrdiff_t i) {
    acc = (int32_t)((uint32_t)acc + (uint32_t)e->bias[row]);  // wraps like the vector adds
    if (e->kind == OCTET_INT_OUT_I32) {
        ((int32_t *)c)[i] = acc;
        return;
    }
    float v = (float)acc * e->scale[row];
    if (e->kind == OCTET_INT_OUT_F32) {
        ((float *)c)[i] = v;
        return;
    }
    // Written so a NaN becomes `lower`, as max_ps(v, lower) does in the vector kernels.
    if (!(v >= e->lower)) v = e->lower;
    if (v > e->upper) v = e->upper;
    // Adding and removing 1.5 * 2^23 rounds to an integer, ties to even, for |v| < 2^22 (v is clamped).
    float r = (v + 12582912.0f) - 12582912.0f;
    ((uint8_t *)c)[i] = (uint8_t)((int32_t)r + e->zero_point);
}

#endif
