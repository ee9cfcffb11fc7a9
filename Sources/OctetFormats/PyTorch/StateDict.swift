import OctetIR

/// The tensors of a PyTorch file under their dotted names, in the order the file stores them.
///
/// Nested containers are flattened: a checkpoint `{"model": {"fc.weight": t}, "epoch": 3}` gives the key
/// `model.fc.weight` (`strippingPrefix("model.")` recovers the plain state_dict); list items and integer
/// dict keys use their number; values that are not tensors are left out; a file holding one bare tensor
/// names it `tensor`. A TorchScript module contributes every tensor attribute under its module path
/// (`encoder.0.weight`), which is its state_dict plus any plain tensor attributes the module keeps.
/// Tensors keep their element type, except bfloat16 and float64 (read as f32) and int16 (read as i32),
/// which `notes` reports.
public struct StateDict: Sendable {
    /// The entries in file order.
    public private(set) var entries: [(key: String, tensor: Tensor)]
    /// Conversions made while reading, one line each (`"fc.weight: bfloat16 read as f32"`).
    public private(set) var notes: [String]
    private var index: [String: Int]

    /// Creates a state dict from ordered entries; a repeated key keeps its first tensor.
    public init(entries: [(key: String, tensor: Tensor)], notes: [String] = []) {
        self.entries = []
        self.notes = notes
        self.index = [:]
        for entry in entries where index[entry.key] == nil {
            index[entry.key] = self.entries.count
            self.entries.append(entry)
        }
    }

    /// The keys in file order.
    public var keys: [String] { entries.map(\.key) }

    public var count: Int { entries.count }

    /// The tensor stored under `key`, or nil.
    public subscript(key: String) -> Tensor? {
        guard let i = index[key] else { return nil }
        return entries[i].tensor
    }

    /// The entries whose key starts with `prefix`, with the prefix removed (`"model."`, `"module."`).
    public func strippingPrefix(_ prefix: String) -> StateDict {
        StateDict(entries: entries.compactMap { entry in
            entry.key.hasPrefix(prefix) ? (String(entry.key.dropFirst(prefix.count)), entry.tensor) : nil
        }, notes: notes)
    }
}
