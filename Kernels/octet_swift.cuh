// Swift's free min and max, which the CPU reference calls on floats. They differ from fminf/fmaxf on
// NaN: Swift keeps the first argument when a comparison with NaN is false, fminf/fmaxf drop the NaN.
#ifndef OCTET_SWIFT_CUH
#define OCTET_SWIFT_CUH

// Swift.max(x, y) is `y >= x ? y : x`: max(NaN, 0) is NaN, max(0, NaN) is 0.
__device__ __forceinline__ float octet_swift_max(float x, float y) { return y >= x ? y : x; }

// Swift.min(x, y) is `y < x ? y : x`: min(NaN, 1) is NaN, min(1, NaN) is 1.
__device__ __forceinline__ float octet_swift_min(float x, float y) { return y < x ? y : x; }

#endif
