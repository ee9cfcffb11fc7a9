// Mirrors Sources/OctetCPU/Reference/Elementwise.swift (float32 unary activations, LeakyRelu,
// HardSigmoid, Clip, and binary arithmetic with numpy broadcasting). Float results are compared with a
// tolerance (expf, tanhf, erff, powf are CUDA's, not Foundation's), but each formula and each NaN rule
// is the CPU's, written in the CPU's order of operations.
#include "octet_grid.cuh"
#include "octet_swift.cuh"

// A quiet NaN for an op code the host should never send: a loud result, never a silent identity.
__device__ __forceinline__ float octet_bad_op() { return __int_as_float(0x7fffffff); }

// op: 0 relu, 1 sigmoid, 2 tanh, 3 sqrt, 4 erf, 5 hardswish, 6 floor, 7 identity, 8 leaky relu (alpha),
// 9 hard sigmoid (alpha, beta).
__device__ __forceinline__ float octet_unary(float v, int op, float alpha, float beta) {
    switch (op) {
    case 0: return v > 0.0f ? v : (isnan(v) ? v : 0.0f);  // Relu keeps NaN
    case 1: return 1.0f / (1.0f + expf(-v));
    case 2: return tanhf(v);
    case 3: return sqrtf(v);
    case 4: return erff(v);
    // The CPU's form x * clamp(x/6 + 0.5, 0, 1), not ONNX's x * clamp(x+3, 0, 6) / 6: they round differently.
    case 5: return v * octet_swift_min(octet_swift_max(v / 6.0f + 0.5f, 0.0f), 1.0f);
    case 6: return floorf(v);
    case 7: return v;
    case 8: return v < 0.0f ? alpha * v : v;
    case 9: return octet_swift_min(octet_swift_max(alpha * v + beta, 0.0f), 1.0f);
    default: return octet_bad_op();
    }
}

extern "C" __global__ void octet_unary_f32(const float* x, float* y, long long n, int op, float alpha, float beta) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        y[i] = octet_unary(x[i], op, alpha, beta);
    }
}

// The CPU's two comparisons: NaN passes through, and when lo > hi every element becomes hi (numpy's
// clip). An absent bound arrives as -inf or +inf.
extern "C" __global__ void octet_clip_f32(const float* x, float* y, long long n, float lo, float hi) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        float v = x[i];
        if (v < lo) v = lo;
        if (v > hi) v = hi;
        y[i] = v;
    }
}

// op: 0 add, 1 sub, 2 mul, 3 div, 4 pow. index holds 3*rank values: the output dims, then a's and b's
// strides (0 along broadcast axes). Rank 0 is a scalar op on a[0], b[0].
extern "C" __global__ void octet_binary_f32(const float* a, const float* b, float* y, long long n, int op, int rank,
                                            const long long* index) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        long long ia, ib;
        octet_broadcast_offsets(i, rank, index, &ia, &ib);
        const float u = a[ia], v = b[ib];
        float r;
        switch (op) {
        case 0: r = u + v; break;
        case 1: r = u - v; break;
        case 2: r = u * v; break;
        case 3: r = u / v; break;
        case 4: r = powf(u, v); break;
        default: r = octet_bad_op(); break;
        }
        y[i] = r;
    }
}

// Mirrors Sources/OctetCPU/Reference/BatchNorm.swift: inference BatchNormalization folded per channel on
// the host (a = scale / sqrt(var + eps), b = B - mean * a, in the CPU's float order), then x * a + b with
// the multiply and the add each rounded once.
extern "C" __global__ void octet_channel_affine_f32(const float* x, float* y, long long n, const float* a,
                                                   const float* b, int channels, long long inner) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        const int c = (int)((i / inner) % channels);
        y[i] = __fadd_rn(__fmul_rn(x[i], a[c]), b[c]);
    }
}
