// Mirrors Sources/OctetIR/Requantize.swift (Requantize.apply): the integer path's one rounding rule,
// and the byte loads and stores every quantized kernel shares.
//
//     y = saturate(round_half_even(float32(acc) * ratio) + zero_point)
//
// | acc   | ratio | zp  | lo..hi     | float32(acc)*ratio | y    |
// |-------|-------|-----|------------|--------------------|------|
// | 14    | 0.25  | 0   | -128..127  | 3.5                | 4    |
// | -10   | 0.25  | 3   | -128..127  | -2.5               | 1    |
// | -1000 | 0.5   | 128 | 0..255     | -500               | 0    |
// | -7    | 1.0   | -128| -128..127  | -7                 | -128 |
#ifndef OCTET_INT8_CUH
#define OCTET_INT8_CUH

#include "octet_grid.cuh"

// Quantized data travels as bytes with a signedness flag, so one kernel serves int8 and uint8.
__device__ __forceinline__ int octet_load_q(const unsigned char* p, long long i, int is_signed) {
    return is_signed ? (int)(signed char)p[i] : (int)p[i];
}

// The low byte is the int8 or the uint8 value alike once v is inside its bounds.
__device__ __forceinline__ void octet_store_q(unsigned char* p, long long i, int v) {
    p[i] = (unsigned char)(v & 0xff);
}

// One multiply rounded once (no fma), clamped to the bounds less the zero point, rounded half to even.
// Clamping before rounding equals saturating after, because the bounds are integers.
__device__ __forceinline__ int octet_requantize(int acc, float ratio, int zp, int lo, int hi) {
    float v = __fmul_rn(__int2float_rn(acc), ratio);
    // The CPU's Swift max/min carry a NaN through to its isNaN test; fmaxf would turn it into a bound.
    if (isnan(v)) return min(max(zp, lo), hi);
    v = fmaxf(v, __int2float_rn(lo - zp));
    v = fminf(v, __int2float_rn(hi - zp));
    return __float2int_rn(v) + zp;
}

// The index of the per-channel parameter of element i when channels sit `inner` elements apart.
__device__ __forceinline__ long long octet_channel(long long i, int channels, long long inner) {
    return channels == 1 ? 0 : (i / inner) % channels;
}

#endif
