import OctetCPU
import OctetIR

/// Deterministic pseudo-random floats in [-1, 1) (a 64-bit LCG), so failures reproduce.
func seededFloats(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
    }
}

/// Runs one node on the CPU backend's evaluator.
func evaluate(_ op: Op, _ inputs: [Tensor?], outputs: Int = 1, threads: Int = 2) throws -> [Tensor] {
    let node = Node(name: "n", op: op, inputs: inputs.indices.map { inputs[$0] == nil ? "" : "in\($0)" },
                    outputs: (0..<outputs).map { "out\($0)" })
    return try CPUBackend(threads: threads).evaluate(node, inputs: inputs)
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
