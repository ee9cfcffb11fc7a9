// Mirrors Sources/OctetCPU/Reference/IntegerMatMul.swift (MatMulInteger with an int32 bias), and for
// y_mode 1 Sources/OctetIR/Requantize.swift on each accumulator (QLinearMatMul, dense layers).
//
//     acc[m,n] = bias[n] + sum_k (a[m,k] - a_zp) * (b[k,n] - b_zp[n])      a [M,K], b [K,N], row-major
#include "octet_int8.cuh"

// One thread per output element; the sum wraps in 32 bits as the CPU's &+= and &* do (unsigned here,
// where wrapping is defined).
extern "C" __global__ void octet_matmul_int8(const unsigned char* a, int a_signed, int a_zp,
                                             const unsigned char* b, int b_signed, const int* b_zp, const int* bias,
                                             int M, int N, int K, const float* ratio, int ratio_per_column,
                                             int y_zp, int lo, int hi, int y_mode, void* y) {
    const long long total = (long long)M * N;
    for (long long i = octet_first_index(); i < total; i += octet_index_stride()) {
        const int n = (int)(i % N);
        const long long m = i / N;
        const unsigned bz = (unsigned)b_zp[n];
        unsigned acc = bias ? (unsigned)bias[n] : 0u;
        for (int k = 0; k < K; ++k) {
            const unsigned av = (unsigned)octet_load_q(a, m * K + k, a_signed) - (unsigned)a_zp;
            const unsigned bv = (unsigned)octet_load_q(b, (long long)k * N + n, b_signed) - bz;
            acc += av * bv;
        }
        if (y_mode == 0) {
            ((int*)y)[i] = (int)acc;
        } else {
            const float rn = ratio[ratio_per_column ? n : 0];
            octet_store_q((unsigned char*)y, i, octet_requantize((int)acc, rn, y_zp, lo, hi));
        }
    }
}
