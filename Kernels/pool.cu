// Mirrors Sources/OctetCPU/Reference/Pool.swift (MaxPool, AveragePool and the global pools, 2-D, NCHW).
// One thread per output element; the taps are visited rows outer, columns inner, as the CPU does, so
// float sums add in the CPU's order.
#include "octet_grid.cuh"

// The CPU keeps the first tap inside the image, then any strictly greater one: a NaN first tap wins,
// a later NaN is ignored. No tap inside gives 0.
template <typename T>
__device__ __forceinline__ T octet_window_max(const T* plane, int H, int W, long long h0, long long w0, int R, int S,
                                              int dil_h, int dil_w) {
    T best = 0;
    bool found = false;
    for (int r = 0; r < R; ++r) {
        const long long ih = h0 + (long long)r * dil_h;
        if (ih < 0 || ih >= H) continue;
        for (int s = 0; s < S; ++s) {
            const long long iw = w0 + (long long)s * dil_w;
            if (iw < 0 || iw >= W) continue;
            const T v = plane[ih * W + iw];
            if (!found || v > best) best = v;
            found = true;
        }
    }
    return best;
}

// dtype 0 uint8, 1 int8, 3 float32: the maximum of integers is one of them, so no rounding is involved.
extern "C" __global__ void octet_maxpool2d(const void* x, void* y, int dtype, int N, int C, int H, int W,
                                           int P, int Q, int R, int S, int stride_h, int stride_w,
                                           int pad_top, int pad_left, int dil_h, int dil_w) {
    const long long total = (long long)N * C * P * Q;
    for (long long i = octet_first_index(); i < total; i += octet_index_stride()) {
        const int q = (int)(i % Q);
        const int p = (int)((i / Q) % P);
        const long long plane = (i / ((long long)Q * P)) * H * W;
        const long long h0 = (long long)p * stride_h - pad_top, w0 = (long long)q * stride_w - pad_left;
        switch (dtype) {
        case 0:
            ((unsigned char*)y)[i] = octet_window_max((const unsigned char*)x + plane, H, W, h0, w0, R, S, dil_h, dil_w);
            break;
        case 1:
            ((signed char*)y)[i] = octet_window_max((const signed char*)x + plane, H, W, h0, w0, R, S, dil_h, dil_w);
            break;
        case 3:
            ((float*)y)[i] = octet_window_max((const float*)x + plane, H, W, h0, w0, R, S, dil_h, dil_w);
            break;
        default:
            break;  // the host refuses other types before it launches
        }
    }
}

// How many taps of a window along one axis fall inside the padded extent [-pad_begin, size + pad_end):
// the divisor when count_include_pad is set (with ceil_mode a window can reach past the padding).
__device__ __forceinline__ int octet_taps_in_extent(long long start, int kernel, int size, int pad_begin, int pad_end) {
    int count = 0;
    for (int k = 0; k < kernel; ++k) {
        const long long at = start + k;
        if (at >= -pad_begin && at < (long long)size + pad_end) ++count;
    }
    return count;
}

// Sum of the taps inside the image, divided once (IEEE division) by the tap count or the padded count.
extern "C" __global__ void octet_avgpool2d_f32(const float* x, float* y, int N, int C, int H, int W, int P, int Q,
                                               int R, int S, int stride_h, int stride_w, int pad_top, int pad_left,
                                               int pad_bottom, int pad_right, int count_include_pad) {
    const long long total = (long long)N * C * P * Q;
    for (long long i = octet_first_index(); i < total; i += octet_index_stride()) {
        const int q = (int)(i % Q);
        const int p = (int)((i / Q) % P);
        const float* plane = x + (i / ((long long)Q * P)) * H * W;
        const long long h0 = (long long)p * stride_h - pad_top, w0 = (long long)q * stride_w - pad_left;
        float sum = 0.0f;
        int inside = 0;
        for (int r = 0; r < R; ++r) {
            const long long ih = h0 + r;
            if (ih < 0 || ih >= H) continue;
            for (int s = 0; s < S; ++s) {
                const long long iw = w0 + s;
                if (iw < 0 || iw >= W) continue;
                sum = __fadd_rn(sum, plane[ih * W + iw]);
                ++inside;
            }
        }
        const int divisor = count_include_pad
            ? octet_taps_in_extent(h0, R, H, pad_top, pad_bottom) * octet_taps_in_extent(w0, S, W, pad_left, pad_right)
            : inside;
        y[i] = divisor > 0 ? __fdiv_rn(sum, __int2float_rn(divisor)) : 0.0f;
    }
}

// GlobalAveragePool / GlobalMaxPool, one thread per plane, summed in order as the CPU's reduce(0, +).
// The max keeps the first value and then any strictly greater one, as Swift's Sequence.max() does.
extern "C" __global__ void octet_global_pool_f32(const float* x, float* y, int planes, int plane_size, int is_max) {
    for (long long p = octet_first_index(); p < planes; p += octet_index_stride()) {
        const float* plane = x + p * plane_size;
        if (plane_size <= 0) {
            y[p] = 0.0f;
        } else if (is_max) {
            float best = plane[0];
            for (int j = 1; j < plane_size; ++j) {
                if (best < plane[j]) best = plane[j];
            }
            y[p] = best;
        } else {
            float sum = 0.0f;
            for (int j = 0; j < plane_size; ++j) sum = __fadd_rn(sum, plane[j]);
            y[p] = __fdiv_rn(sum, __int2float_rn(plane_size));
        }
    }
}
