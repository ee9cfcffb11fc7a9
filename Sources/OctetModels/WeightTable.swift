import OctetFormats
import OctetIR

/// The tensors of a state_dict, handed out by key after checking presence, element type and shape.
///
/// It remembers what was taken so that keys the architecture never read are reported, not dropped.
struct WeightTable {
    private let dict: StateDict
    private var used: Set<String> = []

    init(_ dict: StateDict) { self.dict = dict }

    /// The tensor under `key` as f32, or an error naming the key and both shapes.
    mutating func take(_ key: String, shape: [Int]) throws -> Tensor {
        guard let tensor = dict[key] else {
            throw ModelError("\(key): missing (expected \(shape.shapeText))")
        }
        guard tensor.shape == shape else {
            throw ModelError("\(key): expected \(shape.shapeText), found \(tensor.shape.shapeText)")
        }
        used.insert(key)
        switch tensor.storage {
        case .f32: return tensor
        case .f16: return Tensor(shape: tensor.shape, floats: tensor.floatValues())
        case .i8, .u8, .i32, .i64, .bool:
            throw ModelError("\(key): expected a float tensor, found \(tensor.dtype)")
        }
    }

    /// Fails when the dict holds keys nothing read (BatchNorm's `num_batches_tracked` counters aside).
    func checkAllUsed() throws {
        let unused = dict.keys.filter { !used.contains($0) && !Self.isIgnorable($0) }
        guard !unused.isEmpty else { return }
        let shown = unused.prefix(5).joined(separator: ", ")
        let more = unused.count > 5 ? ", ..." : ""
        let noun = unused.count == 1 ? "key" : "keys"
        throw ModelError("\(unused.count) unused \(noun) the architecture does not read: \(shown)\(more)")
    }

    /// Training bookkeeping that no inference graph reads.
    static func isIgnorable(_ key: String) -> Bool {
        key == "num_batches_tracked" || key.hasSuffix(".num_batches_tracked")
    }
}
