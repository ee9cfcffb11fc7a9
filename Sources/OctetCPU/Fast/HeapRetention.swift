import OctetCPUKernels

/// Freed activation buffers kept in the C heap, so a model's later runs reuse the pages of its first.
///
/// Without it glibc maps every block over a few hundred kilobytes afresh and unmaps it when freed: a
/// ResNet-50 run then spends about a tenth of its time faulting in and zeroing its own activations.
enum HeapRetention {
    /// Applied once per process, when the first model is compiled; false where the C library lacks it.
    static let applied: Bool = octet_retain_freed_heap() != 0
}
