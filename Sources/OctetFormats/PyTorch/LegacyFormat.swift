/// The pre-1.6 `torch.save` layout: five pickles and the raw storages, one after another.
///
///     magic number 0x1950a86a20f9469cfc6c | protocol 1001 | sys_info dict
///     the saved object (storages as persistent ids) | the sorted list of storage keys
///     per key: int64 element count, then the elements, little-endian
enum LegacyFormat {
    /// 0x1950a86a20f9469cfc6c as the LONG1 operand pickles it (little-endian).
    static let magic: [UInt8] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

    /// A pickle at byte 0 (PROTO): only legacy files start that way among the formats read here.
    static func looksLikeLegacy(_ bytes: [UInt8]) -> Bool { bytes.first == 0x80 }

    static func read(_ bytes: [UInt8]) throws -> StateDict {
        let table = StorageTable()
        var pickle = Unpickler(source: "legacy pickle", bytes: bytes, persistentLoad: table.resolve)
        defer { pickle.releaseValues() }
        guard case .bigInt(let magicBytes) = try pickle.load(), magicBytes == magic else {
            throw FormatError("not a PyTorch file: the first pickle is not torch's magic number 0x1950a86a20f9469cfc6c")
        }
        let protocolVersion = try pickle.load()
        guard protocolVersion.int == 1001 else {
            throw FormatError("legacy protocol version is \(protocolVersion.int.map(String.init) ?? protocolVersion.kind), only 1001 is read")
        }
        guard case .dict(let sysInfo) = try pickle.load() else { throw FormatError("legacy sys_info is not a dict") }
        if case .bool(false) = sysInfo.value(forKey: "little_endian") {
            throw FormatError("the file was saved on a big-endian machine, which is not supported")
        }
        let object = try pickle.load()
        guard case .list(let keyList) = try pickle.load() else {
            throw FormatError("the storage key list after the object (byte \(pickle.position)) is not a list")
        }

        var position = pickle.position
        for item in keyList.items {
            guard let key = item.string, let storage = table.storages[key] else {
                throw FormatError("data section names storage \(item.string.map { "'\($0)'" } ?? item.kind) at byte \(position), which the pickle never used")
            }
            guard position <= bytes.count - 8 else {
                throw FormatError("storage '\(key)' at byte \(position): the file ends before its element count")
            }
            let count = bytes.leU64(at: position)
            guard count == UInt64(storage.count) else {
                throw FormatError("storage '\(key)' at byte \(position) holds \(count) elements, the pickle declared \(storage.count)")
            }
            position += 8
            let (length, overflow) = storage.count.multipliedReportingOverflow(by: storage.type.elementSize)
            guard !overflow, length <= bytes.count - position else {
                throw FormatError("storage '\(key)' at byte \(position): \(storage.count) \(storage.type.rawValue) elements run past the end of the file (\(bytes.count) bytes)")
            }
            try storage.attach(bytes[position..<(position + length)], source: "the data section")
            position += length
        }
        var collector = TensorCollector(storageBytes: table.attachedBytes)
        try collector.collect(object)
        return collector.stateDict()
    }
}
