// Mirrors Sources/OctetCPU/Reference/Conv.swift (float32 Conv, 2-D, NCHW, groups and dilation).
// One thread per output element: it starts from the bias and adds w * x tap by tap, channels outer,
// then rows, then columns, each product and sum rounded once (-fmad=false), which is the CPU's order.
#include "octet_grid.cuh"

extern "C" __global__ void octet_conv2d_f32(const float* x, const float* w, const float* bias, float* y,
                                            int N, int C, int H, int W, int K, int group, int R, int S, int P, int Q,
                                            int stride_h, int stride_w, int pad_top, int pad_left, int dil_h, int dil_w) {
    const long long total = (long long)N * K * P * Q;
    const int Cg = C / group, Kg = K / group;
    for (long long i = octet_first_index(); i < total; i += octet_index_stride()) {
        const int q = (int)(i % Q);
        const int p = (int)((i / Q) % P);
        const int k = (int)((i / ((long long)Q * P)) % K);
        const long long n = i / ((long long)Q * P * K);
        const int g = k / Kg;
        float acc = bias ? bias[k] : 0.0f;
        for (int c = 0; c < Cg; ++c) {
            const long long x_plane = (n * C + (long long)g * Cg + c) * H;
            const long long w_plane = ((long long)k * Cg + c) * R;
            for (int r = 0; r < R; ++r) {
                const long long ih = (long long)p * stride_h - pad_top + (long long)r * dil_h;
                if (ih < 0 || ih >= H) continue;
                for (int s = 0; s < S; ++s) {
                    const long long iw = (long long)q * stride_w - pad_left + (long long)s * dil_w;
                    if (iw < 0 || iw >= W) continue;
                    acc = __fadd_rn(acc, __fmul_rn(w[(w_plane + r) * S + s], x[(x_plane + ih) * W + iw]));
                }
            }
        }
        y[i] = acc;
    }
}

// Mirrors Sources/OctetCPU/Reference/ConvTranspose.swift, gathered instead of scattered: each output starts
// at its bias and adds weight * input for every (input channel, kernel row, kernel column) that reaches it,
// in that order, which is the order the CPU's scatter adds them in.
extern "C" __global__ void octet_conv_transpose2d_f32(const float* x, const float* w, const float* bias, float* y,
                                                      int N, int C, int H, int W, int K, int group, int R, int S,
                                                      int P, int Q, int stride_h, int stride_w, int pad_top,
                                                      int pad_left, int dil_h, int dil_w) {
    const long long total = (long long)N * K * P * Q;
    const int Kg = K / group, Cg = C / group;
    for (long long i = octet_first_index(); i < total; i += octet_index_stride()) {
        const int q = (int)(i % Q), p = (int)((i / Q) % P), k = (int)((i / ((long long)P * Q)) % K);
        const long long n = i / ((long long)K * P * Q);
        const int g = k / Kg, local = k % Kg;
        float acc = bias ? bias[k] : 0.0f;
        for (int c = 0; c < Cg; ++c) {
            const int ic = g * Cg + c;
            for (int r = 0; r < R; ++r) {
                const int num_h = p + pad_top - r * dil_h;
                if (num_h < 0 || num_h % stride_h != 0) continue;
                const int ih = num_h / stride_h;
                if (ih >= H) continue;
                for (int s = 0; s < S; ++s) {
                    const int num_w = q + pad_left - s * dil_w;
                    if (num_w < 0 || num_w % stride_w != 0) continue;
                    const int iw = num_w / stride_w;
                    if (iw >= W) continue;
                    const float wv = w[(((long long)ic * Kg + local) * R + r) * S + s];
                    const float xv = x[(((long long)n * C + ic) * H + ih) * W + iw];
                    acc = __fadd_rn(acc, __fmul_rn(wv, xv));
                }
            }
        }
        y[i] = acc;
    }
}
