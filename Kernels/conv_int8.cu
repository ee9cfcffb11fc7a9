// Mirrors Sources/OctetCPU/Reference/IntegerConv.swift (ConvInteger with an int32 bias), and for
// y_mode 1 Sources/OctetIR/Requantize.swift on each accumulator (QLinearConv, folded Relu/Clip in lo/hi).
//
//     acc[n,k,p,q] = bias[k] + sum_{c,r,s} (x[n, g*Cg+c, ih, iw] - x_zp) * (w[k,c,r,s] - w_zp[k])
//
// Taps outside the image are skipped: padding reads the zero point, which contributes nothing.
#include "octet_int8.cuh"

// One thread per output element (n, k, p, q), NCHW. The sum wraps in 32 bits as the CPU's &+= and &*
// do; unsigned arithmetic makes that wrap defined in C++.
extern "C" __global__ void octet_conv2d_int8(const unsigned char* x, int x_signed, int x_zp,
                                             const unsigned char* w, int w_signed, const int* w_zp, const int* bias,
                                             int N, int C, int H, int W, int K, int group, int R, int S, int P, int Q,
                                             int stride_h, int stride_w, int pad_top, int pad_left, int dil_h, int dil_w,
                                             const float* ratio, int ratio_per_channel, int y_zp, int lo, int hi,
                                             int y_mode, void* y) {
    const long long total = (long long)N * K * P * Q;
    const int Cg = C / group, Kg = K / group;
    for (long long i = octet_first_index(); i < total; i += octet_index_stride()) {
        const int q = (int)(i % Q);
        const int p = (int)((i / Q) % P);
        const int k = (int)((i / ((long long)Q * P)) % K);
        const long long n = i / ((long long)Q * P * K);
        const int g = k / Kg;
        const unsigned wz = (unsigned)w_zp[k];
        unsigned acc = bias ? (unsigned)bias[k] : 0u;
        for (int c = 0; c < Cg; ++c) {
            const long long x_plane = (n * C + (long long)g * Cg + c) * H;
            const long long w_plane = ((long long)k * Cg + c) * R;
            for (int r = 0; r < R; ++r) {
                const long long ih = (long long)p * stride_h - pad_top + (long long)r * dil_h;
                if (ih < 0 || ih >= H) continue;
                for (int s = 0; s < S; ++s) {
                    const long long iw = (long long)q * stride_w - pad_left + (long long)s * dil_w;
                    if (iw < 0 || iw >= W) continue;
                    const unsigned xv = (unsigned)octet_load_q(x, (x_plane + ih) * W + iw, x_signed) - (unsigned)x_zp;
                    const unsigned wv = (unsigned)octet_load_q(w, (w_plane + r) * S + s, w_signed) - wz;
                    acc += xv * wv;
                }
            }
        }
        if (y_mode == 0) {
            ((int*)y)[i] = (int)acc;
        } else {
            const float ri = ratio[ratio_per_channel ? k : 0];
            octet_store_q((unsigned char*)y, i, octet_requantize((int)acc, ri, y_zp, lo, hi));
        }
    }
}
