// The grid-stride loop every Octet kernel uses, so any grid the host picks covers the whole count.
// Indices are 64-bit: a tensor of more than 2^31 elements (or a product of int dims) must not wrap.
#ifndef OCTET_GRID_CUH
#define OCTET_GRID_CUH

__device__ __forceinline__ long long octet_first_index() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long octet_index_stride() {
    return (long long)gridDim.x * blockDim.x;
}

// `for (long long i = octet_first_index(); i < n; i += octet_index_stride())` is spelled out in each
// kernel rather than hidden in a macro: the loop is the one thing a reader must see.

#endif
