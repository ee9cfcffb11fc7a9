import Foundation

/// `--dump-scales` / `--load-scales`: per tensor scale, zero point, range and mode, as sorted JSON so two
/// runs on the same data write identical bytes.
public enum ScaleFile {
    struct Contents: Codable {
        var format = "octet-scales-1"
        var tensors: [String: TensorRange]
    }

    public static func encode(_ ranges: [String: TensorRange]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(Contents(tensors: ranges))
    }

    public static func decode(_ data: Data) throws(QuantError) -> [String: TensorRange] {
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw QuantError("not an Octet scale file: \(error)")
        }
        guard contents.format == "octet-scales-1" else {
            throw QuantError("unknown scale file format \"\(contents.format)\"")
        }
        for (name, r) in contents.tensors where !(r.scale > 0 && r.scale.isFinite) {
            throw QuantError("tensor \"\(name)\": scale \(r.scale) is not a positive number")
        }
        return contents.tensors
    }
}
