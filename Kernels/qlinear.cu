// Mirrors Sources/OctetIR/QLinearRules.swift (QLinearRules.Add and .GlobalAveragePool), as applied by
// Sources/OctetCPU/Reference/QLinearAdd.swift and QLinearGlobalAveragePool.swift.
#include "octet_int8.cuh"

// QLinearAdd in onnxruntime's order: int8 moved to uint8 (+128) first, then two fused multiply-adds,
// each rounded once, b's before a's. lo/hi arrive in the shifted domain, as QLinearRules.Add keeps them.
// Operands broadcast as numpy's rules say: index holds the output dims, then a's and b's strides (0 along
// broadcast axes), as for octet_binary_f32.
//
// | a, b    | shift | ratio_a, ratio_b, fixed | fma(a', ra, fma(b', rb, fixed)) | y (hi' 255)   |
// |---------|-------|-------------------------|---------------------------------|---------------|
// | 10, 20  | 0     | 0.5, 0.25, 0            | 10                              | 10            |
// | 5, 0    | 0     | 0.5, 1, 0               | 2.5                             | 2             |
// | 100,100 | 128   | 1, 1, -128              | 228 + 228 - 128 = 328           | 255-128 = 127 |
extern "C" __global__ void octet_qlinear_add(const unsigned char* a, const unsigned char* b, unsigned char* y,
                                             long long n, int is_signed, float ratio_a, float ratio_b, float fixed,
                                             int lo, int hi, int rank, const long long* index) {
    const int shift = is_signed ? 128 : 0;
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        long long ia, ib;
        octet_broadcast_offsets(i, rank, index, &ia, &ib);
        const int av = octet_load_q(a, ia, is_signed) + shift;
        const int bv = octet_load_q(b, ib, is_signed) + shift;
        float t = __fmaf_rn(__int2float_rn(av), ratio_a, __fmaf_rn(__int2float_rn(bv), ratio_b, fixed));
        // A NaN t becomes -1e9 here (so lo); the CPU would trap converting it. See Kernels/README.md.
        t = fminf(fmaxf(t, -1e9f), 1e9f);
        const int r = __float2int_rn(t);
        octet_store_q(y, i, min(max(r, lo), hi) - shift);
    }
}

// QLinearGlobalAveragePool, channels first: each plane's int32 sum (wrapping, as the CPU's &+=) less
// zx * count, requantized with ratio sx / (sy * count). One thread per plane: integer sums need no
// particular order, and a plane is at most a feature map.
//
// | sum | count | zx | correction | ratio | zy | y  |
// |-----|-------|----|------------|-------|----|----|
// | 490 | 49    | 0  | 0          | 1/49  | 0  | 10 |
// | 98  | 49    | 1  | 49         | 1/49  | 3  | 4  |
extern "C" __global__ void octet_qlinear_global_avgpool(const unsigned char* x, unsigned char* y, int planes,
                                                        int plane_size, int is_signed, float ratio, int correction,
                                                        int y_zp, int lo, int hi) {
    for (long long p = octet_first_index(); p < planes; p += octet_index_stride()) {
        const long long base = p * plane_size;
        unsigned sum = 0u;
        for (int j = 0; j < plane_size; ++j) sum += (unsigned)octet_load_q(x, base + j, is_signed);
        octet_store_q(y, p, octet_requantize((int)(sum - (unsigned)correction), ratio, y_zp, lo, hi));
    }
}
