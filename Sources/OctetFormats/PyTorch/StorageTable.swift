/// The storages a pickle names through persistent ids, one object per key so shared storages stay shared.
final class StorageTable {
    private(set) var storages: [String: TorchStorage] = [:]

    /// Resolves `('storage', StorageClass, key, location, numel[, view])`: the zip form has five items,
    /// the legacy form a sixth, the view `(view_key, offset, size)` or None.
    func resolve(_ pid: PickleValue) throws -> PickleValue {
        guard let items = pid.tupleItems, items.count == 5 || items.count == 6 else {
            throw FormatError("persistent id is a \(pid.kind)\(pid.tupleItems.map { " of \($0.count) items" } ?? ""), not a storage reference")
        }
        guard items[0].string == "storage" else {
            throw FormatError("persistent id of kind \(items[0].string.map { "'\($0)'" } ?? items[0].kind) (only 'storage' is read; a pickled whole module is not)")
        }
        let type: TorchElementType
        switch items[1].globalKind {
        case .storageClass(let t): type = t
        case .untypedStorage: type = .uint8
        default: throw FormatError("persistent id names \(items[1].kind), not a storage class")
        }
        guard let key = items[2].string ?? items[2].int.map(String.init) else {
            throw FormatError("storage key is a \(items[2].kind), not a string")
        }
        guard let count = items[4].int, count >= 0 else { throw FormatError("storage '\(key)' has a size that is not a count") }
        let storage: TorchStorage
        if let existing = storages[key] {
            guard existing.type == type, existing.count == count else {
                throw FormatError("storage '\(key)' is declared twice, as \(existing.count) \(existing.type.rawValue) and \(count) \(type.rawValue)")
            }
            storage = existing
        } else {
            storage = TorchStorage(key: key, type: type, count: count)
            storages[key] = storage
        }
        var slice = StorageSlice(storage: storage, offset: 0, count: count)
        if items.count == 6, let view = items[5].tupleItems {
            guard view.count == 3, let offset = view[1].int, let size = view[2].int,
                  offset >= 0, size >= 0, offset <= count, size <= count - offset else {
                throw FormatError("storage view of '\(key)' does not lie within its \(count) elements")
            }
            slice = StorageSlice(storage: storage, offset: offset, count: size)
        }
        return .storage(slice)
    }
}
