import Foundation
import OctetData
import OctetTestSupport
import Testing

/// Hostile JPEG files (Scripts/make-corrupt-jpeg.py) fail with a DataError that says what is wrong;
/// damaged copies of a valid file never trap.
@Suite struct JPEGCorruptTests {
    static let folder = Paths.fixture("corrupt/jpeg")

    /// Each fixture and a phrase its error must contain.
    static let expected: [String: String] = [
        "12-bit.jpg": "12-bit sample precision is not supported",
        "arithmetic.jpg": "arithmetic coding is not supported",
        "cmyk.jpg": "CMYK",
        "dht-length-too-short.jpg": "length 1 is less than 2",
        "dht-overfull.jpg": "more codes than fit",
        "dimensions-exceed-file.jpg": "more than a 998-byte file can hold",
        "dqt-length-past-end.jpg": "runs past the end of the file",
        "empty.jpg": "no SOI marker",
        "garbage-scan.jpg": "invalid Huffman code",
        "huge-dimensions.jpg": "exceeds the limit",
        "lossless.jpg": "lossless and hierarchical JPEG are not supported",
        "no-scan.jpg": "no scan",
        "not-jpeg.jpg": "no SOI marker",
        "progressive-truncated.jpg": "ends early",
        "restart-out-of-order.jpg": "expected restart marker RST1",
        "soi-only.jpg": "no frame header",
        "sos-before-sof.jpg": "before any frame header",
        "too-many-scans.jpg": "beyond the limit of 1000 scans",
        "truncated-header.jpg": "runs past the end of the file",
        "truncated-scan.jpg": "ends early",
        "undefined-huffman-table.jpg": "Huffman table 3, which is not defined",
        "zero-sampling.jpg": "sampling factors 0x0",
        "zero-width.jpg": "width is 0",
    ]

    @Test func everyFixtureHasAnExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).sorted()
        #expect(files == Self.expected.keys.sorted())
    }

    @Test(arguments: expected.keys.sorted())
    func fails(file: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        do {
            let image = try JPEG.decode(bytes)
            Issue.record("\(file) decoded to \(image.width)x\(image.height)")
        } catch let error as DataError {
            let phrase = Self.expected[file] ?? "?"
            #expect(error.message.contains(phrase), "\(file): \(error.message)")
        }
    }

    static func valid() throws -> [UInt8] {
        let image = Image(width: 40, height: 24, channels: 3,
                          pixels: (0..<(40 * 24 * 3)).map { UInt8(truncatingIfNeeded: ($0 * 37) ^ ($0 >> 5)) })
        return try JPEG.encode(image, quality: 80)
    }

    /// Every prefix of a valid file throws a DataError, except those missing only the last few bytes.
    @Test func everyTruncationFailsCleanly() throws {
        let bytes = try Self.valid()
        for length in 0..<bytes.count {
            do {
                _ = try JPEG.decode(Array(bytes[..<length]))
                #expect(length >= bytes.count - 4, "prefix of \(length) bytes of \(bytes.count) decoded")
            } catch is DataError {
            } catch {
                Issue.record("prefix of \(length) bytes: \(error) is not a DataError")
            }
        }
    }

    /// Deterministic single-byte corruptions across the whole file: a DataError or an image, never a trap.
    @Test func byteFlipsNeverTrap() throws {
        let bytes = try Self.valid()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var failures = 0
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var damaged = bytes
            let at = Int(state >> 33) % damaged.count
            damaged[at] ^= UInt8(truncatingIfNeeded: state >> 13) | 1
            do {
                let image = try JPEG.decode(damaged)
                #expect(image.pixels.count == image.width * image.height * image.channels)
            } catch is DataError {
                failures += 1
            }
        }
        #expect(failures > 0)
    }
}
