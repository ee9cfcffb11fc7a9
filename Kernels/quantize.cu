// Mirrors Sources/OctetCPU/Reference/Quantize.swift (QuantizeLinear, DequantizeLinear) and
// Sources/OctetCPU/Reference/RequantizeKernel.swift (Requantize), per tensor or per channel.
//
// | x / scale | rintf | + zp 0, int8 | + zp 128, uint8 |
// |-----------|-------|--------------|-----------------|
// |  2.5      |  2    |  2           | 130             |
// | -2.5      | -2    | -2           | 126             |
// |  300.0    |  300  |  127         | 255             |
// |  +inf     |  inf  |  127         | 255             |
// |  NaN      |  0    |  0           | 128             |
#include "octet_int8.cuh"

// q = saturate(round_half_even(x / scale) + zero_point). The quotient is bounded to [lo - 512, hi + 512]
// before the zero point is added, as the CPU bounds its Int64 (NaN counts as 0 there too).
extern "C" __global__ void octet_quantize_f32(const float* x, unsigned char* y, long long n, const float* scale,
                                              const int* zero_point, int channels, long long inner, int lo, int hi) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        long long c = octet_channel(i, channels, inner);
        float q = rintf(__fdiv_rn(x[i], scale[c]));
        if (isnan(q)) q = 0.0f;
        q = fminf(fmaxf(q, __int2float_rn(lo - 512)), __int2float_rn(hi + 512));
        // 64-bit as on the CPU, so an odd zero point cannot wrap the sum.
        long long v = (long long)__float2int_rn(q) + zero_point[c];
        v = v < lo ? lo : (v > hi ? hi : v);
        octet_store_q(y, i, (int)v);
    }
}

// x = (q - zero_point) * scale: both integers converted to float first, then one subtraction and one
// multiply, each rounded once (the CPU converts the whole tensor and its zero points to Float).
extern "C" __global__ void octet_dequantize(const void* x, float* y, long long n, int x_type, const float* scale,
                                            const int* zero_point, int channels, long long inner) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        long long c = octet_channel(i, channels, inner);
        int q;
        switch (x_type) {
        case 0: q = ((const unsigned char*)x)[i]; break;
        case 1: q = ((const signed char*)x)[i]; break;
        default: q = ((const int*)x)[i]; break;
        }
        y[i] = __fmul_rn(__fsub_rn(__int2float_rn(q), __int2float_rn(zero_point[c])), scale[c]);
    }
}

// int32 accumulators to int8/uint8 by the one requantize rule; ratio per tensor or per channel.
extern "C" __global__ void octet_requantize_i32(const int* x, unsigned char* y, long long n, const float* ratio,
                                                int channels, long long inner, int zp, int lo, int hi) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        long long c = octet_channel(i, channels, inner);
        octet_store_q(y, i, octet_requantize(x[i], ratio[c], zp, lo, hi));
    }
}
