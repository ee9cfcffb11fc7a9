import OctetData

/// The PREPROCESS flags shared by run, eval, quantize and compare, read into one `Preprocessing`.
struct PreprocessOptions {
    static let help = """
          PREPROCESS: --preset torch|mxnet|tf|none (default torch)  --size 224 (center crop)
                      --resize 256 (shorter side; default size*256/224)  --mean R,G,B  --std R,G,B
        """

    var preprocessing: Preprocessing

    init(parsing arguments: inout Arguments) throws(UsageError) {
        let preset: Preprocessing.Preset = try arguments.choice("preset", default: .torch)
        let size = try arguments.int("size", default: 224, range: 1...8192)
        let resize = try arguments.option("resize").map { text throws(UsageError) in
            guard let v = Int(text), (1...8192).contains(v) else {
                throw UsageError("--resize expects an integer in 1...8192, got '\(text)'")
            }
            return v
        }
        var p = Preprocessing(preset: preset, size: size, resize: resize)
        guard p.resize >= size else { throw UsageError("--resize \(p.resize) is smaller than --size \(size)") }
        if let mean = try arguments.option("mean") { p.mean = try Self.triple(mean, flag: "mean") }
        if let std = try arguments.option("std") {
            p.std = try Self.triple(std, flag: "std")
            guard p.std.allSatisfy({ $0 != 0 }) else { throw UsageError("--std values must not be 0") }
        }
        preprocessing = p
    }

    private static func triple(_ text: String, flag: String) throws(UsageError) -> [Float] {
        let parts = text.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, parts.allSatisfy(\.isFinite) else {
            throw UsageError("--\(flag) expects three numbers R,G,B, got '\(text)'")
        }
        return parts
    }
}
