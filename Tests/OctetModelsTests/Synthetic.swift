import Foundation
import OctetFormats
import OctetIR
import OctetModels
import OctetTestSupport

/// State dicts made from an architecture's own expected shapes, to be broken on purpose by the tests.
enum Synthetic {
    /// Every expected parameter as a tensor of the right shape (zeros, BN variances 1, unless `fill`
    /// says otherwise), plus the `num_batches_tracked` counter a torch state_dict has after each BatchNorm.
    static func weights(_ arch: any Architecture, numClasses: Int = 1000, prefix: String = "",
                        fill: (ParameterSpec) -> [Float]? = { _ in nil }) -> [(String, Tensor)] {
        var entries: [(String, Tensor)] = []
        for spec in arch.expectedParameters(numClasses: numClasses) {
            let count = spec.shape.reduce(1, *)
            let values = fill(spec) ?? Array(repeating: spec.key.hasSuffix("running_var") ? 1 : 0, count: count)
            entries.append((prefix + spec.key, Tensor(shape: spec.shape, floats: values)))
            if spec.key.hasSuffix(".running_var") {
                let counter = prefix + spec.key.dropLast("running_var".count) + "num_batches_tracked"
                entries.append((counter, Tensor(shape: [], int64s: [0])))
            }
        }
        return entries
    }

    /// resnet18 with 1000 classes, built once: the key-checking tests each change one entry.
    static let resnet18: [(String, Tensor)] = weights(ResNet.resnet18)

    /// `entries` with the tensor under `key` replaced, or removed when `tensor` is nil.
    static func replacing(_ key: String, with tensor: Tensor?, in entries: [(String, Tensor)]) -> [(String, Tensor)] {
        entries.compactMap { entry in
            guard entry.0 == key else { return entry }
            return tensor.map { (key, $0) }
        }
    }

    /// Deterministic pseudo-random floats in [-scale, scale) (a 64-bit LCG), so failures reproduce.
    static func seededFloats(_ count: Int, seed: UInt64, scale: Float) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out[i] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        return out
    }
}

/// The keys and shapes listed in one of the PyTorch reader's `Fixtures/torch/*_keys.tsv` files.
func referenceKeys(_ file: String) throws -> [ParameterSpec] {
    let text = try String(contentsOf: Paths.fixture("torch/" + file), encoding: .utf8)
    return text.split(separator: "\n").dropFirst().map { line in
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        let shape = fields[2] == "scalar" ? [] : fields[2].split(separator: "x").compactMap { Int($0) }
        return ParameterSpec(key: String(fields[0]), shape: shape)
    }
}

/// The error a throwing expression raised, as text ("" when it did not throw).
func errorText(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        return ""
    } catch {
        return "\(error)"
    }
}
