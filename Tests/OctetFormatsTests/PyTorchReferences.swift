import Foundation
import OctetIR
import OctetTestSupport

/// One line of a `Fixtures/torch/*.tsv` written by Scripts/make-torch-fixtures.py.
struct TorchReference {
    var key: String
    /// torch's dtype name (`float32`, `bfloat16`, ...).
    var torchType: String
    var shape: [Int]
    /// `sum`, `abs_sum` and `weighted_sum` columns of the `_keys.tsv` files.
    var sums: TensorSums?
    /// `values` column of the `_expected.tsv` files.
    var values: [Double]?

    /// The IR type Octet reads this torch dtype as.
    var expectedDType: DType? {
        switch torchType {
        case "float32", "bfloat16", "float64": .f32
        case "float16": .f16
        case "int64": .i64
        case "int32", "int16": .i32
        case "int8": .i8
        case "uint8": .u8
        case "bool": .bool
        default: nil
        }
    }

    static func load(_ name: String) throws -> [TorchReference] {
        let text = try String(contentsOf: Paths.fixture("torch/" + name), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst().split(separator: "\t").map(String.init)
        return lines.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let shape = f[2] == "scalar" ? [] : f[2].split(separator: "x").compactMap { Int($0) }
            var ref = TorchReference(key: f[0], torchType: f[1], shape: shape)
            if header.contains("sum"), let s = Double(f[3]), let a = Double(f[4]), let w = Double(f[5]) {
                ref.sums = TensorSums(sum: s, absSum: a, weightedSum: w)
            }
            if header.contains("values") {
                ref.values = f[3].isEmpty ? [] : f[3].split(separator: ",").compactMap { Double($0) }
            }
            return ref
        }
    }
}

/// Checksums of a tensor's values in Double; the weighted one changes when values move.
struct TensorSums {
    var sum: Double
    var absSum: Double
    /// Σ x[i]·(i mod 7 + 1) over row-major positions i.
    var weightedSum: Double
}

extension Tensor {
    var sums: TensorSums {
        var result = TensorSums(sum: 0, absSum: 0, weightedSum: 0)
        for (i, v) in floatValues().enumerated() {
            result.sum += Double(v)
            result.absSum += abs(Double(v))
            result.weightedSum += Double(v) * Double(i % 7 + 1)
        }
        return result
    }
}

/// The path of a file in the download cache, or nil after saying why the test skips.
///
/// A file fetched by Scripts/fetch-weights.sh must be there in strict mode (CI); one that
/// Scripts/make-torch-fixtures.py writes with torch (`madeByTorch`) is a skip where torch is not installed.
func cachedWeights(_ name: String, madeByTorch: Bool = false) throws -> String? {
    let url = Paths.cache("weights/" + name)
    guard Paths.exists(url) else {
        if madeByTorch {
            print("SKIPPED: \(url.path) is missing: /usr/bin/python3 Scripts/make-torch-fixtures.py writes it with torch")
        } else {
            try Skip.missingData("\(url.path) is missing (run Scripts/fetch-weights.sh)")
        }
        return nil
    }
    return url.path
}
