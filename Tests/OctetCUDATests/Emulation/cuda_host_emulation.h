// Just enough of CUDA for Octet's kernels to compile as C++ and run on the host with one thread: every
// kernel loops over its work with a grid stride, so a grid of one block of one thread does all of it.
// The intrinsics are IEEE operations rounded to nearest even, which is what the _rn suffix means on the
// GPU; built with -ffp-contract=off, so no multiply-add is fused unless a kernel asks for fmaf.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__

struct octet_dim3 { unsigned x, y, z; };
static const octet_dim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};

using std::max;
using std::min;
using std::isnan;

static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
static inline float __int2float_rn(int v) { return (float)v; }
static inline float __ll2float_rn(long long v) { return (float)v; }
// The GPU saturates out-of-range values and gives 0 for NaN; the kernels clamp first, so only the
// in-range, round-half-even behaviour matters here.
static inline int __float2int_rn(float v) {
    if (v != v) return 0;
    if (v >= 2147483647.0f) return 2147483647;
    if (v <= -2147483648.0f) return (-2147483647 - 1);
    return (int)std::nearbyint(v);
}
static inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
static inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline float __double2float_rn(double v) { return (float)v; }
