import Foundation
import OctetData
import OctetTestSupport
import Testing

/// Octet's JPEG decoder against Pillow (libjpeg-turbo) on re-encodings of real photos made by
/// Scripts/make-jpeg-references.py: every sample within 1 level for ≥ 99% of samples, never more than 3.
@Suite struct JPEGDecoderTests {
    struct Reference {
        var name: String
        var jpeg: URL
        var npy: URL
    }

    static let folder = Paths.cache("jpeg-refs")

    static func references() -> [Reference]? {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("manifest.tsv"), encoding: .utf8) else {
            return nil
        }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3 else { return nil }
            return Reference(name: fields[0], jpeg: Paths.root.appendingPathComponent(fields[1]),
                             npy: folder.appendingPathComponent(fields[2]))
        }
    }

    struct Agreement {
        var samples = 0
        var withinOne = 0
        var maxDiff = 0
    }

    static func agreement(_ a: Image, _ b: Image) -> Agreement {
        var result = Agreement()
        result.samples = a.pixels.count
        for i in 0..<a.pixels.count {
            let d = abs(Int(a.pixels[i]) - Int(b.pixels[i]))
            if d <= 1 { result.withinOne += 1 }
            result.maxDiff = max(result.maxDiff, d)
        }
        return result
    }

    @Test func matchesPillowOnEveryReference() throws {
        guard let references = Self.references(), !references.isEmpty else {
            try Skip.missingData("no JPEG references in \(Self.folder.path) (run Scripts/fetch-test-data.sh)")
            return
        }
        var total = Agreement(), exact = 0, worst = (name: "", fraction: 1.0)
        var byKind: [String: Agreement] = [:]
        for reference in references {
            let expected = try UInt8NPY.image(at: reference.npy)
            let decoded = try JPEG.decode([UInt8](try Data(contentsOf: reference.jpeg)))
            try #require(decoded.width == expected.width && decoded.height == expected.height
                         && decoded.channels == expected.channels, "\(reference.name): size differs")
            let a = Self.agreement(decoded, expected)
            let fraction = Double(a.withinOne) / Double(a.samples)
            #expect(fraction >= 0.99, "\(reference.name): only \(fraction) of samples within 1")
            #expect(a.maxDiff <= 3, "\(reference.name): max difference \(a.maxDiff)")
            if decoded.pixels == expected.pixels { exact += 1 }
            if fraction < worst.fraction { worst = (reference.name, fraction) }
            total.samples += a.samples
            total.withinOne += a.withinOne
            total.maxDiff = max(total.maxDiff, a.maxDiff)
            // Group by variant: "p3-q75-420" → "420", "dev-n01514668_cock" → "dev".
            let parts = reference.name.split(separator: "-")
            let kind = parts.first == "dev" ? "dev" : parts.dropFirst().filter { !$0.hasPrefix("q") }.joined(separator: "-")
            var group = byKind[kind, default: Agreement()]
            group.samples += a.samples
            group.withinOne += a.withinOne
            group.maxDiff = max(group.maxDiff, a.maxDiff)
            byKind[kind] = group
        }
        print("JPEG vs Pillow: \(references.count) files, \(exact) bit-exact, \(total.samples) samples, "
              + "\(Double(total.withinOne) / Double(total.samples)) within 1, max diff \(total.maxDiff), "
              + "worst file \(worst.name) (\(worst.fraction))")
        for (kind, a) in byKind.sorted(by: { $0.key < $1.key }) {
            print("  \(kind): \(Double(a.withinOne) / Double(a.samples)) within 1, max \(a.maxDiff)")
        }
    }
}
