import OctetIR

/// Walks the unpickled object and gathers its tensors under dotted keys, in the order the pickle holds them.
///
/// Dicts contribute their string and integer keys, lists and tuples their indices, TorchScript objects
/// the attribute names of their state; everything that is not a tensor (epochs, flags, strings) is skipped.
struct TensorCollector {
    private(set) var entries: [(key: String, tensor: Tensor)] = []
    private var conversions: [TorchElementType: (count: Int, first: String)] = [:]
    /// A tensor pickled once and reached twice (tied weights) is read once.
    private var cache: [ObjectIdentifier: Tensor] = [:]
    private var visits = 0

    /// Bounds the walk: a pickle can share one list many times over, making exponentially many paths.
    static let maxVisits = 1 << 22

    mutating func collect(_ value: PickleValue, prefix: String = "", depth: Int = 0) throws {
        visits += 1
        guard visits <= Self.maxVisits else { throw FormatError("the pickled object has more than \(Self.maxVisits) parts") }
        guard depth <= pickleMaxDepth else {
            throw FormatError("the pickled object nests deeper than \(pickleMaxDepth) levels at '\(prefix)' (a cycle?)")
        }
        func join(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
        switch value {
        case .tensor(let record):
            let key = prefix.isEmpty ? "tensor" : prefix
            try add(record, key: key)
        case .dict(let dict):
            for (key, item) in dict.items {
                switch key {
                case .string(let s): try collect(item, prefix: join(s), depth: depth + 1)
                case .int(let i): try collect(item, prefix: join(String(i)), depth: depth + 1)
                default: continue
                }
            }
        case .list(let list):
            for (i, item) in list.items.enumerated() { try collect(item, prefix: join(String(i)), depth: depth + 1) }
        case .tuple(let tuple):
            for (i, item) in tuple.items.enumerated() { try collect(item, prefix: join(String(i)), depth: depth + 1) }
        case .object(let object):
            try collect(object.state, prefix: prefix, depth: depth + 1)
        case .none, .bool, .int, .bigInt, .float, .string, .bytes, .global, .storage:
            break
        }
    }

    private mutating func add(_ record: TensorRecord, key: String) throws {
        let id = ObjectIdentifier(record)
        let tensor: Tensor
        if let cached = cache[id] {
            tensor = cached
        } else {
            do {
                tensor = try record.materialize()
            } catch let error as FormatError {
                throw FormatError("tensor '\(key)': \(error.message)")
            }
            cache[id] = tensor
        }
        if record.type.conversionNote != nil {
            let seen = conversions[record.type]
            conversions[record.type] = ((seen?.count ?? 0) + 1, seen?.first ?? key)
        }
        entries.append((key, tensor))
    }

    /// The collected tensors, with one note per converted element type.
    func stateDict() -> StateDict {
        let notes = TorchElementType.allCases.compactMap { type -> String? in
            guard let seen = conversions[type], let note = type.conversionNote else { return nil }
            return "\(note): \(seen.count) tensor\(seen.count == 1 ? "" : "s"), first '\(seen.first)'"
        }
        return StateDict(entries: entries, notes: notes)
    }
}
