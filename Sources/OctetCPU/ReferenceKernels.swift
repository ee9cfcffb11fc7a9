import OctetIR

/// The reference kernels alone, never a fast one: the oracle every fast path and every backend is compared with.
///
/// `CPUBackend.evaluate` tries the fast float kernels first for Conv, Gemm, MatMul and MaxPool, as constant
/// folding wants; a comparison against it would check those fast kernels against themselves.
public struct ReferenceKernels: NodeEvaluator {
    public let threads: Int

    public init(threads: Int = 1) { self.threads = max(1, threads) }

    public func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor] {
        try Kernels.run(KernelContext(node: node, inputs: inputs, threads: threads), fast: false)
    }
}
