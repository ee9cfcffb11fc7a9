import Foundation

/// Tensor data kept in files beside the model (`data_location: EXTERNAL`), read only from inside the
/// model's folder: a location that is absolute or climbs out of it (`..`, a link) is refused.
struct ExternalData {
    let directory: URL

    init(modelPath: String) {
        directory = URL(fileURLWithPath: modelPath).deletingLastPathComponent().resolvingSymlinksInPath()
    }

    func read(for tensor: TensorProto, expectedBytes: Int) throws -> ArraySlice<UInt8> {
        var location: String?
        var offset = 0
        var length: Int?
        for (key, value) in tensor.externalData {
            switch key {
            case "location": location = value
            case "offset", "length":
                guard let n = Int(value), n >= 0 else {
                    throw FormatError("\(tensor.label): external data \(key) \"\(value)\" is not a byte count")
                }
                if key == "offset" { offset = n } else { length = n }
            default: break
            }
        }
        guard let location, !location.isEmpty else {
            throw FormatError("\(tensor.label): external data has no location")
        }
        guard !location.hasPrefix("/") else {
            throw FormatError("\(tensor.label): external data location \"\(location)\" is an absolute path")
        }
        let file = directory.appendingPathComponent(location).standardizedFileURL.resolvingSymlinksInPath()
        let base = directory.standardizedFileURL.path
        guard file.path.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            throw FormatError("\(tensor.label): external data location \"\(location)\" is outside the model's folder")
        }
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw FormatError("\(tensor.label): cannot open external data file \"\(location)\"")
        }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let want = length ?? expectedBytes
        guard want == expectedBytes else {
            throw FormatError("\(tensor.label): external data length \(want) but its shape needs \(expectedBytes) bytes")
        }
        guard UInt64(offset) <= size, UInt64(want) <= size - UInt64(offset) else {
            throw FormatError("\(tensor.label): external data \"\(location)\" has \(size) bytes, fewer than offset \(offset) + length \(want)")
        }
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: want) ?? Data()
        guard data.count == want else {
            throw FormatError("\(tensor.label): external data \"\(location)\" ended after \(data.count) of \(want) bytes")
        }
        return ArraySlice([UInt8](data))
    }
}
