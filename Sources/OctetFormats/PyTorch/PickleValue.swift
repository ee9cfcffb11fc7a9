/// A value the pickle machine builds. Nothing here can run code: globals are whitelisted tags,
/// objects are inert records of a class name and a state.
///
/// Containers are classes because a pickle memoizes a list or dict and fills it afterwards; each
/// records its nesting depth so no hostile pickle can build a structure deep enough to overflow the
/// stack when it is walked or freed.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, as its little-endian two's complement bytes (the legacy magic number).
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    case object(PickleObject)
    case global(TorchGlobal)
    case storage(StorageSlice)
    case tensor(TensorRecord)

    /// The deepest chain of containers below and including this value.
    var depth: Int {
        switch self {
        case .tuple(let t): t.depth
        case .list(let l): l.depth
        case .dict(let d): d.depth
        case .object(let o): o.depth
        default: 0
        }
    }

    /// What the value is, for error messages.
    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .object(let o): o.className
        case .global(let g): g.name
        case .storage: "storage"
        case .tensor: "tensor"
        }
    }

    var int: Int? { if case .int(let v) = self { v } else { nil } }
    var string: String? { if case .string(let v) = self { v } else { nil } }
    var tupleItems: [PickleValue]? { if case .tuple(let t) = self { t.items } else { nil } }

    /// A tuple (or list) of integers, as sizes and strides are pickled.
    var intList: [Int]? {
        let items: [PickleValue]
        switch self {
        case .tuple(let t): items = t.items
        case .list(let l): items = l.items
        default: return nil
        }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let v = item.int else { return nil }
            result.append(v)
        }
        return result
    }
}

/// Deepest nesting the pickle machine builds; real checkpoints and TorchScript modules stay far below.
let pickleMaxDepth = 500

final class PickleTuple {
    let items: [PickleValue]
    let depth: Int
    init(_ items: [PickleValue]) throws {
        self.items = items
        depth = 1 + (items.map(\.depth).max() ?? 0)
        guard depth <= pickleMaxDepth else { throw FormatError("containers nest deeper than \(pickleMaxDepth) levels") }
    }
}

final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
}

/// The lists, dicts and objects one unpickler built. A hostile pickle can append a list to itself, or put a
/// dict inside its own value, which no real checkpoint does; reference counting never frees such a cycle,
/// so every load of the file would leak it. Once the caller is done with the values, `empty()` breaks any
/// cycle among them. (Explicitly, not in a deinit: Swift may end a local's lifetime at its last use, before
/// the caller has finished reading the values.)
final class PickleContainers {
    private var seen: Set<ObjectIdentifier> = []
    private var lists: [PickleList] = []
    private var dicts: [PickleDict] = []
    private var objects: [PickleObject] = []

    func register(_ value: PickleValue) {
        switch value {
        case .list(let l) where seen.insert(ObjectIdentifier(l)).inserted: lists.append(l)
        case .dict(let d) where seen.insert(ObjectIdentifier(d)).inserted: dicts.append(d)
        case .object(let o) where seen.insert(ObjectIdentifier(o)).inserted: objects.append(o)
        default: break
        }
    }

    func empty() {
        for l in lists { l.items = [] }
        for d in dicts { d.removeAll() }
        for o in objects { o.clearState() }
    }
}

final class PickleDict {
    /// The key as Python would hash it, for the kinds of keys a checkpoint uses.
    enum Key: Hashable {
        case string(String)
        case int(Int)
    }

    private(set) var items: [(key: PickleValue, value: PickleValue)] = []
    private var index: [Key: Int] = [:]
    private(set) var depth = 1

    /// Sets `key` to `value`, keeping the position of a key set before (Python dict semantics).
    func set(_ key: PickleValue, _ value: PickleValue) throws {
        depth = max(depth, max(key.depth, value.depth) + 1)
        guard depth <= pickleMaxDepth else { throw FormatError("containers nest deeper than \(pickleMaxDepth) levels") }
        let hashKey: Key?
        switch key {
        case .string(let s): hashKey = .string(s)
        case .int(let i): hashKey = .int(i)
        case .bool(let b): hashKey = .int(b ? 1 : 0)
        case .list, .dict: throw FormatError("a \(key.kind) cannot be a dict key")
        default: hashKey = nil
        }
        if let hashKey, let existing = index[hashKey] {
            items[existing].value = value
            return
        }
        if let hashKey { index[hashKey] = items.count }
        items.append((key, value))
    }

    func removeAll() {
        items = []
        index = [:]
    }

    func value(forKey key: String) -> PickleValue? {
        index[.string(key)].map { items[$0].value }
    }
}

/// An instance of a TorchScript class (`__torch__.…`): only its name and the state BUILD gave it.
final class PickleObject {
    let className: String
    private(set) var state: PickleValue = .none
    private(set) var depth = 1
    init(className: String) { self.className = className }

    func clearState() { state = .none }

    func setState(_ state: PickleValue) throws {
        guard state.depth < pickleMaxDepth else { throw FormatError("containers nest deeper than \(pickleMaxDepth) levels") }
        self.state = state
        depth = state.depth + 1
    }
}

extension PickleList {
    func append(_ value: PickleValue) throws {
        depth = max(depth, value.depth + 1)
        guard depth <= pickleMaxDepth else { throw FormatError("containers nest deeper than \(pickleMaxDepth) levels") }
        items.append(value)
    }
}
