// Mirrors Sources/OctetCPU/Reference/ElementMove.swift (ConcatMove): raw bytes, no type.
#include "octet_grid.cuh"

// One input of a Concat: `outer` runs of `part_bytes`, each written at `offset_bytes` into a run of
// `total_bytes` of the output. One thread per byte: correctness first.
extern "C" __global__ void octet_concat_part(const unsigned char* src, unsigned char* dst, long long outer,
                                             long long part_bytes, long long total_bytes, long long offset_bytes) {
    const long long count = outer * part_bytes;
    for (long long i = octet_first_index(); i < count; i += octet_index_stride()) {
        const long long o = i / part_bytes, j = i % part_bytes;
        dst[o * total_bytes + offset_bytes + j] = src[i];
    }
}

// Every op that only moves elements (Transpose, Slice, Split, Pad, Expand, Resize nearest) as one gather:
// output index (c_0, .., c_{rank-1}) reads the source element at the sum over axes of
// table[offsets[d] + c_d], each entry already multiplied by its axis's source stride; an entry of -1 means
// "outside the source" and the element is `fill` (Pad's constant, Resize's extrapolation value).
// table: dims[rank], offsets[rank], then the per-axis lists. Elements are moved as bytes.
extern "C" __global__ void octet_gather_axes(const unsigned char* x, unsigned char* y, long long n, int element_bytes,
                                             int rank, const long long* table, const unsigned char* fill) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        long long rest = i, source = 0;
        int outside = 0;
        for (int d = rank - 1; d >= 0; --d) {
            const long long dim = table[d];
            const long long c = rest % dim;
            rest /= dim;
            const long long entry = table[table[rank + d] + c];
            if (entry < 0) outside = 1;
            source += entry;
        }
        const unsigned char* from = outside ? fill : x + source * element_bytes;
        for (int b = 0; b < element_bytes; ++b) y[i * element_bytes + b] = from[b];
    }
}
