import Foundation

/// `--dump-scales` / `--load-scales`: per tensor scale, zero point, range and mode, and the equalization
/// factors of each linear stream the ranges were calibrated after, as sorted JSON so two runs on the same
/// data write identical bytes.
public enum ScaleFile {
    struct Contents: Codable {
        var format = "octet-scales-1"
        var tensors: [String: TensorRange]
        /// Absent in files written before equalization, or with it off.
        var equalization: [String: [Float]]?
    }

    public static func encode(_ ranges: [String: TensorRange], equalization: [String: [Float]] = [:]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(Contents(tensors: ranges, equalization: equalization.isEmpty ? nil : equalization))
    }

    public static func decode(_ data: Data) throws(QuantError) -> [String: TensorRange] {
        try decodeWithEqualization(data).tensors
    }

    /// The ranges and the equalization factors by stream name (empty when the file has none).
    public static func decodeWithEqualization(_ data: Data) throws(QuantError)
        -> (tensors: [String: TensorRange], equalization: [String: [Float]]) {
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw QuantError("not an Octet scale file: \(error)")
        }
        guard contents.format == "octet-scales-1" else {
            throw QuantError("unknown scale file format \"\(contents.format)\"")
        }
        for (name, r) in contents.tensors.sorted(by: { $0.key < $1.key }) {
            guard r.scale > 0 && r.scale.isFinite else {
                throw QuantError("tensor \"\(name)\": scale \(r.scale) is not a positive number")
            }
            if let channels = r.channelScales {
                guard !channels.isEmpty, channels.count <= 1 << 20, channels.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                    throw QuantError("tensor \"\(name)\": channel_scales must be 1 to 2^20 positive numbers")
                }
            }
            if let means = r.channelMeans {
                guard means.count <= 1 << 20, means.allSatisfy(\.isFinite) else {
                    throw QuantError("tensor \"\(name)\": channel_means must be at most 2^20 finite numbers")
                }
            }
            // The dtype decides the zero point's type in the written model: anything else is refused rather
            // than read as int8, and a zero point outside the type would not fit its initializer.
            let range: ClosedRange<Int32>
            switch r.dtype {
            case QuantizationConfig.Activations.int8.rawValue: range = -128...127
            case QuantizationConfig.Activations.uint8.rawValue: range = 0...255
            default:
                throw QuantError("tensor \"\(name)\": dtype \"\(r.dtype)\" is not int8 or uint8")
            }
            guard range.contains(r.zeroPoint) else {
                throw QuantError("tensor \"\(name)\": zero_point \(r.zeroPoint) is outside \(r.dtype)'s "
                    + "\(range.lowerBound)...\(range.upperBound)")
            }
        }
        for (name, factors) in (contents.equalization ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !factors.isEmpty, factors.count <= 1 << 20, factors.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw QuantError("equalization of \"\(name)\": factors must be 1 to 2^20 positive numbers")
            }
        }
        return (contents.tensors, contents.equalization ?? [:])
    }
}
