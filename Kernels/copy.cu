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
