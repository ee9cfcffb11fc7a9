import Octet
import OctetIR

/// Concrete shapes for a graph's inputs: symbolic batch dimensions bound to `--batch`, others from `--shape`.
enum InputShapes {
    static func parse(_ specs: [String]) throws(UsageError) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for spec in specs {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw UsageError("--shape expects NAME=D,D,..., got '\(spec)'") }
            let dims = parts[1].split(separator: ",").map { Int($0) }
            guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw UsageError("--shape \(parts[0]): dimensions must be positive integers, got '\(parts[1])'")
            }
            out[parts[0]] = dims.compactMap { $0 }
        }
        return out
    }

    static func resolve(_ input: ValueInfo, batch: Int, explicit: [String: [Int]], file: String) throws -> [Int] {
        if let shape = explicit[input.name] { return shape }
        guard let dims = input.shape else {
            throw InputError(file, "input \"\(input.name)\" has no declared shape; give one with --shape \(input.name)=D,D,..")
        }
        var shape: [Int] = []
        for (i, d) in dims.enumerated() {
            if let v = d.value, v > 0 {
                shape.append(v)
            } else if i == 0 {
                shape.append(batch)
            } else {
                throw InputError(file, "input \"\(input.name)\" dimension \(i) is \(d); give the shape with --shape \(input.name)=D,D,..")
            }
        }
        return shape
    }

    /// Seeded uniform [-1, 1) inputs, so two runs time the same data (never zeros: they hide bugs and run fast).
    static func randomInputs(for graph: Graph, batch: Int, explicit: [String: [Int]], file: String) throws -> [String: Tensor] {
        var generator = SplitMix64(seed: 0x0C7E7)
        var out: [String: Tensor] = [:]
        for input in graph.inputs {
            let shape = try resolve(input, batch: batch, explicit: explicit, file: file)
            let n = shape.reduce(1, *)
            switch input.dtype ?? .f32 {
            case .f32:
                out[input.name] = Tensor(shape: shape, floats: (0..<n).map { _ in generator.nextFloat() * 2 - 1 })
            case let dtype:
                throw InputError(file, "input \"\(input.name)\" is \(dtype.rawValue); bench feeds float inputs only")
            }
        }
        return out
    }
}

/// A small deterministic generator (SplitMix64), so benchmarks and tests draw the same numbers everywhere.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
