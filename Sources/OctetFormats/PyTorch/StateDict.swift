import OctetIR

/// The tensors of a PyTorch file under their dotted names, in the order the file stores them.
///
/// Nested containers are flattened: a checkpoint `{"model": {"fc.weight": t}, "epoch": 3}` gives the key
/// `model.fc.weight`; list items use their index; values that are not tensors are left out.
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
