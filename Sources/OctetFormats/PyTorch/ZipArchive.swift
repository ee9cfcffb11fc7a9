/// A zip archive read from memory: the central directory (zip64 included) and its entries' contents.
///
/// Sizes and offsets come from the central directory, as torch's own reader takes them (its local
/// headers use data descriptors). Every offset and length is checked against the file before use.
struct ZipArchive {
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
        /// Byte offset of this entry's record in the central directory, for error messages.
        var directoryOffset: Int
    }

    let bytes: [UInt8]
    let entries: [Entry]
    private let byName: [String: Int]

    /// Whether `bytes` ends like a zip archive (an end-of-central-directory record in its last 64 KiB).
    static func looksLikeZip(_ bytes: [UInt8]) -> Bool {
        (try? endOfCentralDirectory(bytes)) != nil
    }

    init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let directory = try Self.centralDirectory(bytes)
        var entries: [Entry] = []
        var byName: [String: Int] = [:]
        var offset = directory.offset
        let end = directory.offset + directory.size
        // A central record is at least 46 bytes, so a count the directory cannot hold is refused up front.
        guard directory.count <= directory.size / 46 else {
            throw FormatError("zip central directory declares \(directory.count) entries in \(directory.size) bytes")
        }
        entries.reserveCapacity(directory.count)
        for _ in 0..<directory.count {
            let entry = try Self.centralRecord(bytes, at: offset, end: end)
            guard byName[entry.entry.name] == nil else {
                throw FormatError("zip holds two entries named \"\(entry.entry.name)\" (central directory byte \(offset))")
            }
            byName[entry.entry.name] = entries.count
            entries.append(entry.entry)
            offset = entry.next
        }
        self.entries = entries
        self.byName = byName
    }

    func entry(named name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// The uncompressed contents of an entry, CRC-checked. Stored entries are slices of the file.
    func contents(of entry: Entry) throws -> ArraySlice<UInt8> {
        let where_ = "zip entry \"\(entry.name)\""
        guard entry.flags & 1 == 0 else { throw FormatError("\(where_) is encrypted") }
        let header = entry.localHeaderOffset
        guard header <= bytes.count - 30, bytes.leU32(at: header) == 0x0403_4b50 else {
            throw FormatError("\(where_): no local header at byte \(header) (file has \(bytes.count) bytes)")
        }
        let dataStart = header + 30 + Int(bytes.leU16(at: header + 26)) + Int(bytes.leU16(at: header + 28))
        guard dataStart <= bytes.count, entry.compressedSize <= bytes.count - dataStart else {
            throw FormatError("\(where_): \(entry.compressedSize) bytes of data at byte \(dataStart) run past the end of the file (\(bytes.count) bytes)")
        }
        let raw = bytes[dataStart..<(dataStart + entry.compressedSize)]
        let contents: ArraySlice<UInt8>
        switch entry.method {
        case 0:
            guard entry.size == entry.compressedSize else {
                throw FormatError("\(where_) is stored with \(entry.compressedSize) bytes but declares \(entry.size)")
            }
            contents = raw
        case 8:
            // Deflate expands at most 1032:1; a larger declared size is a lie that would allocate for nothing.
            guard entry.size / 1032 <= entry.compressedSize + 1 else {
                throw FormatError("\(where_) declares \(entry.size) bytes from \(entry.compressedSize) compressed, more than deflate can expand")
            }
            do {
                contents = try Inflate.decode(raw, expectedSize: entry.size)[...]
            } catch let error as FormatError {
                throw FormatError("\(where_): \(error.message)")
            }
        default:
            throw FormatError("\(where_) uses compression method \(entry.method) (only stored and deflate are read)")
        }
        let crc = CRC32.checksum(contents)
        guard crc == entry.crc else {
            throw FormatError("\(where_): CRC-32 mismatch (stored \(hex(entry.crc)), computed \(hex(crc))): the data is corrupt")
        }
        return contents
    }

    // MARK: - Central directory

    private struct Directory { var offset: Int; var size: Int; var count: Int }

    /// The byte offset of the end-of-central-directory record, searched backwards over its comment.
    private static func endOfCentralDirectory(_ bytes: [UInt8]) throws -> Int {
        guard bytes.count >= 22 else { throw FormatError("file of \(bytes.count) bytes is too short to be a zip archive") }
        let lowest = max(0, bytes.count - 22 - 0xffff)
        var at = bytes.count - 22
        while at >= lowest {
            if bytes.leU32(at: at) == 0x0605_4b50, at + 22 + Int(bytes.leU16(at: at + 20)) <= bytes.count { return at }
            at -= 1
        }
        throw FormatError("no zip end-of-central-directory record in the last \(bytes.count - lowest) bytes (truncated?)")
    }

    private static func centralDirectory(_ bytes: [UInt8]) throws -> Directory {
        let eocd = try endOfCentralDirectory(bytes)
        var count = Int(bytes.leU16(at: eocd + 10))
        var size = Int(bytes.leU32(at: eocd + 12))
        var offset = Int(bytes.leU32(at: eocd + 16))
        var directoryEnd = eocd
        let disk = bytes.leU16(at: eocd + 4), directoryDisk = bytes.leU16(at: eocd + 6)
        if count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
            // Zip64: a locator just before the record points at the zip64 end-of-central-directory record.
            let locator = eocd - 20
            guard locator >= 0, bytes.leU32(at: locator) == 0x0706_4b50 else {
                throw FormatError("zip end record at byte \(eocd) needs zip64 fields, but no zip64 locator precedes it")
            }
            let record64 = try checkedInt(bytes.leU64(at: locator + 8), "zip64 end record offset at byte \(locator + 8)")
            guard record64 <= locator - 56, bytes.leU32(at: record64) == 0x0606_4b50 else {
                throw FormatError("zip64 end record offset \(record64) (from byte \(locator + 8)) does not point at a zip64 end record")
            }
            count = try checkedInt(bytes.leU64(at: record64 + 32), "zip64 entry count at byte \(record64 + 32)")
            size = try checkedInt(bytes.leU64(at: record64 + 40), "zip64 directory size at byte \(record64 + 40)")
            offset = try checkedInt(bytes.leU64(at: record64 + 48), "zip64 directory offset at byte \(record64 + 48)")
            directoryEnd = record64
        } else if disk != 0 || directoryDisk != 0 {
            throw FormatError("zip archive spans several disks (end record at byte \(eocd)), which is not supported")
        }
        guard offset <= directoryEnd, size <= directoryEnd - offset else {
            throw FormatError("zip central directory (offset \(offset), \(size) bytes, from the end record at byte \(eocd)) lies outside the file's \(directoryEnd) bytes before the end record")
        }
        return Directory(offset: offset, size: size, count: count)
    }

    private static func centralRecord(_ bytes: [UInt8], at offset: Int, end: Int) throws -> (entry: Entry, next: Int) {
        guard offset <= end - 46, bytes.leU32(at: offset) == 0x0201_4b50 else {
            throw FormatError("zip central directory: no entry record at byte \(offset)")
        }
        let nameLength = Int(bytes.leU16(at: offset + 28))
        let extraLength = Int(bytes.leU16(at: offset + 30))
        let commentLength = Int(bytes.leU16(at: offset + 32))
        let next = offset + 46 + nameLength + extraLength + commentLength
        guard next <= end else { throw FormatError("zip central directory: entry at byte \(offset) runs past the directory's end") }
        let nameBytes = bytes[(offset + 46)..<(offset + 46 + nameLength)]
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw FormatError("zip central directory: entry name at byte \(offset + 46) is not UTF-8")
        }
        var entry = Entry(
            name: name, method: bytes.leU16(at: offset + 10), flags: bytes.leU16(at: offset + 8),
            crc: bytes.leU32(at: offset + 16), compressedSize: Int(bytes.leU32(at: offset + 20)),
            size: Int(bytes.leU32(at: offset + 24)), localHeaderOffset: Int(bytes.leU32(at: offset + 42)),
            directoryOffset: offset)
        if entry.size == 0xffff_ffff || entry.compressedSize == 0xffff_ffff || entry.localHeaderOffset == 0xffff_ffff {
            try readZip64Extra(bytes, extra: (offset + 46 + nameLength)..<(offset + 46 + nameLength + extraLength), into: &entry)
        }
        return (entry, next)
    }

    /// Replaces the 32-bit fields that hold 0xFFFFFFFF with the 64-bit values of the zip64 extra field.
    private static func readZip64Extra(_ bytes: [UInt8], extra: Range<Int>, into entry: inout Entry) throws {
        var at = extra.lowerBound
        while at + 4 <= extra.upperBound {
            let id = bytes.leU16(at: at), length = Int(bytes.leU16(at: at + 2))
            let fieldEnd = at + 4 + length
            guard fieldEnd <= extra.upperBound else { break }
            if id == 0x0001 {
                var field = at + 4
                func next(_ what: String) throws -> Int {
                    guard field + 8 <= fieldEnd else {
                        throw FormatError("zip entry \"\(entry.name)\": zip64 extra field at byte \(at) lacks the \(what)")
                    }
                    defer { field += 8 }
                    return try checkedInt(bytes.leU64(at: field), "zip64 \(what) of \"\(entry.name)\" at byte \(field)")
                }
                if entry.size == 0xffff_ffff { entry.size = try next("uncompressed size") }
                if entry.compressedSize == 0xffff_ffff { entry.compressedSize = try next("compressed size") }
                if entry.localHeaderOffset == 0xffff_ffff { entry.localHeaderOffset = try next("local header offset") }
                return
            }
            at = fieldEnd
        }
        throw FormatError("zip entry \"\(entry.name)\" (central directory byte \(entry.directoryOffset)) needs a zip64 extra field and has none")
    }
}

/// A 64-bit field as an Int, refusing values a file of this machine could not hold.
private func checkedInt(_ value: UInt64, _ what: String) throws -> Int {
    guard value <= UInt64(Int.max / 2) else { throw FormatError("\(what) is \(value), larger than any file") }
    return Int(value)
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

extension [UInt8] {
    /// Little-endian loads; callers have checked that the bytes exist.
    func leU16(at i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func leU32(at i: Int) -> UInt32 { UInt32(leU16(at: i)) | UInt32(leU16(at: i + 2)) << 16 }
    func leU64(at i: Int) -> UInt64 { UInt64(leU32(at: i)) | UInt64(leU32(at: i + 4)) << 32 }
}
