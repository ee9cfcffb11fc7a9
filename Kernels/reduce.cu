// Mirrors Sources/OctetCPU/Reference/ReduceMean.swift: each output is the mean of its reduced box, summed in
// double in the input's row-major order (the order the CPU visits them in), divided by the count in double,
// then rounded once to float.
#include "octet_grid.cuh"

// table: the kept dims [rank] (1 on reduced axes), the reduced dims [rank] (1 on kept axes), the input's
// row-major strides [rank].
extern "C" __global__ void octet_reduce_mean_f32(const float* x, float* y, long long n, int rank, const long long* table,
                                                 long long count) {
    for (long long i = octet_first_index(); i < n; i += octet_index_stride()) {
        long long rest = i, base = 0;
        for (int d = rank - 1; d >= 0; --d) {
            base += (rest % table[d]) * table[2 * rank + d];
            rest /= table[d];
        }
        double sum = 0.0;
        for (long long r = 0; r < count; ++r) {
            long long left = r, offset = base;
            for (int d = rank - 1; d >= 0; --d) {
                offset += (left % table[rank + d]) * table[2 * rank + d];
                left /= table[rank + d];
            }
            sum = __dadd_rn(sum, (double)x[offset]);
        }
        y[i] = __double2float_rn(__ddiv_rn(sum, (double)count));
    }
}
