// Mirrors Sources/OctetCPU/Reference/Gemm.swift (Gemm: alpha * A' * B' + beta * C; MatMul is alpha 1,
// no C, launched per batch by the host). The CPU starts each output from C * beta + 0 (only when C is
// given and beta is not 0), then adds (alpha * a[m,k]) * b[k,n] for k in order; so does this kernel.
#include "octet_grid.cuh"

// c_mode: 0 none, 1 scalar, 2 row [N] (broadcast down the rows), 3 column [M], 4 full [M, N].
__device__ __forceinline__ float octet_gemm_c(const float* c, int c_mode, long long m, long long n, int N) {
    switch (c_mode) {
    case 1: return c[0];
    case 2: return c[n];
    case 3: return c[m];
    default: return c[m * N + n];
    }
}

extern "C" __global__ void octet_gemm_f32(const float* a, const float* b, const float* c, float* y, int M, int N,
                                          int K, int trans_a, int trans_b, float alpha, float beta, int c_mode) {
    const long long total = (long long)M * N;
    for (long long i = octet_first_index(); i < total; i += octet_index_stride()) {
        const long long n = i % N, m = i / N;
        float acc = 0.0f;
        // A beta of 0 skips C entirely, so an inf or NaN in C does not leak through 0 * C.
        if (c && c_mode != 0 && beta != 0.0f) acc = __fadd_rn(__fmul_rn(octet_gemm_c(c, c_mode, m, n, N), beta), 0.0f);
        for (int k = 0; k < K; ++k) {
            const float av = trans_a ? a[(long long)k * M + m] : a[m * K + k];
            const float bv = trans_b ? b[n * K + k] : b[(long long)k * N + n];
            acc = __fadd_rn(acc, __fmul_rn(__fmul_rn(alpha, av), bv));
        }
        y[i] = acc;
    }
}

// MatMul with batch dimensions, as Sources/OctetCPU/Reference/Gemm.swift (matMul) broadcasts them: output
// [batch.., M, N]; index holds the batch dims [rank], then a's and b's batch strides in matrices (0 along
// broadcast axes). Each output sums a[m, k] * b[k, n] over k in order.
extern "C" __global__ void octet_batched_matmul_f32(const float* a, const float* b, float* y, long long n_out, int M, int N,
                                                    int K, int rank, const long long* index) {
    for (long long i = octet_first_index(); i < n_out; i += octet_index_stride()) {
        const int col = (int)(i % N), row = (int)((i / N) % M);
        long long ia, ib;
        octet_broadcast_offsets(i / ((long long)M * N), rank, index, &ia, &ib);
        const float* am = a + ia * M * K + (long long)row * K;
        const float* bm = b + ib * K * N + col;
        float acc = 0.0f;
        for (int k = 0; k < K; ++k) acc = __fadd_rn(acc, __fmul_rn(am[k], bm[(long long)k * N]));
        y[i] = acc;
    }
}
