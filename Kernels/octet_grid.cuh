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

// Numpy broadcasting by table: the offsets in a and b of output element i, where index holds the output
// dims [rank], then a's strides, then b's (0 along the axes each is broadcast on). The binary ops, QLinearAdd
// and batched MatMul (over its batch dims) read their operands through it.
__device__ __forceinline__ void octet_broadcast_offsets(long long i, int rank, const long long* index, long long* ia,
                                                        long long* ib) {
    long long rest = i, a = 0, b = 0;
    for (int axis = rank - 1; axis >= 0; --axis) {
        const long long coordinate = rest % index[axis];
        rest /= index[axis];
        a += coordinate * index[rank + axis];
        b += coordinate * index[2 * rank + axis];
    }
    *ia = a;
    *ib = b;
}

#endif
