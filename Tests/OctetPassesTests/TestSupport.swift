import OctetCPU
import OctetIR

/// An evaluator that can run nothing, as a backend lacking an op: folding must leave such nodes in place.
struct RefusingEvaluator: NodeEvaluator {
    struct Refused: Error {}
    func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor] { throw Refused() }
}

/// Runs a whole graph on the CPU backend: the before/after check for rewrites.
func interpret(_ graph: Graph, inputs: [String: Tensor]) throws -> [String: Tensor] {
    try CPUBackend(threads: 1).compile(graph).run(inputs)
}

/// Seeded uniform values in [-1, 1), so every run checks the same numbers.
struct SeededValues {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func tensor(_ shape: [Int], offset: Float = 0) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in next() + offset })
    }

    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
}
