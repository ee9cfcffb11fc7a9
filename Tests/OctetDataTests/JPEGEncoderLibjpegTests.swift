import Foundation
import OctetData
import OctetTestSupport
import Testing

/// The encoder beside libjpeg-turbo's tools: djpeg reads what it writes and sees the same pixels, and
/// at the same quality it writes the tables and scan bytes of `cjpeg -baseline`.
@Suite struct JPEGEncoderLibjpegTests {
    /// Real pixels: the 4:4:4 fixture crop in color and gray, and three whole photos (one of them gray).
    static func sources() throws -> [(name: String, image: Image)] {
        let crop = try JPEG.decode([UInt8](try Data(contentsOf: Paths.fixture("jpeg/baseline-444.jpg"))))
        let gray = Image(width: crop.width, height: crop.height, channels: 1,
                         pixels: stride(from: 0, to: crop.pixels.count, by: 3).map { crop.pixels[$0 + 1] })
        var list = [("crop", crop), ("crop-gray", gray)]
        for name in ["n01514668_cock.JPEG", "n03804744_nail.JPEG", "n04285008_sports_car.JPEG"] {
            list.append((name, try JPEG.decode([UInt8](try Data(contentsOf: Paths.fixture("photos/" + name))))))
        }
        return list
    }

    /// The first entry of each quantization table the file defines.
    static func firstQuantizers(_ bytes: [UInt8]) -> [Int] {
        var i = 2, found: [Int] = []
        while i + 4 <= bytes.count, bytes[i] == 0xFF, bytes[i + 1] != 0xDA {
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if bytes[i + 1] == 0xDB {
                for t in stride(from: i + 4, to: min(i + 2 + length, bytes.count - 1), by: 65) {
                    found.append(Int(bytes[t + 1]))
                }
            }
            i += 2 + length
        }
        return found
    }

    /// The bytes from the SOS marker to the end of the file.
    static func scan(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF, bytes[i + 1] != 0xDA {
            i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
        }
        return bytes[min(i, bytes.count)...]
    }

    static func tool(_ name: String) -> URL? {
        ["/usr/bin", "/usr/local/bin", "/bin"].map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static func temporary(_ suffix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("octet-jpeg-\(UUID().uuidString)\(suffix)")
    }

    /// libjpeg's scaling of Annex K's first entries (luminance 16, chrominance 17): s = 5000 / q below
    /// 50, 200 - 2q from 50; entry (base * s + 50) / 100 clamped to 1...255.
    @Test("quality scales the Annex K tables as libjpeg does", arguments: [
        (1, [255, 255]), (10, [80, 85]), (50, [16, 17]), (75, [8, 9]), (90, [3, 3]), (100, [1, 1]),
    ])
    func qualityScaling(quality: Int, expected: [Int]) throws {
        let crop = try Self.sources()[0].image
        #expect(Self.firstQuantizers(try JPEG.encode(crop, quality: quality)) == expected)
    }

    @Test func djpegReadsWhatTheEncoderWrites() throws {
        guard let djpeg = Self.tool("djpeg") else {
            print("SKIPPED: djpeg is not installed (apt-get install libjpeg-turbo-progs)")
            return
        }
        for (name, image) in try Self.sources() {
            for quality in [50, 75, 95] {
                let bytes = try JPEG.encode(image, quality: quality)
                let input = Self.temporary(".jpg"), output = Self.temporary(".pnm")
                defer {
                    try? FileManager.default.removeItem(at: input)
                    try? FileManager.default.removeItem(at: output)
                }
                try Data(bytes).write(to: input)
                let result = try runProcess(djpeg, ["-outfile", output.path, input.path])
                #expect(result.status == 0 && result.stderr.isEmpty, "\(name) q\(quality): \(result.stderr)")
                let theirs = try PNM.read(output)
                let ours = try JPEG.decode(bytes)
                try #require(ours.width == theirs.width && ours.height == theirs.height && ours.channels == theirs.channels)
                let a = JPEGDecoderTests.agreement(ours, theirs)
                #expect(Double(a.withinOne) >= 0.99 * Double(a.samples) && a.maxDiff <= 3, "\(name) q\(quality)")
            }
        }
    }

    @Test func writesTheScanBytesOfCjpeg() throws {
        guard let cjpeg = Self.tool("cjpeg") else {
            print("SKIPPED: cjpeg is not installed (apt-get install libjpeg-turbo-progs)")
            return
        }
        var identical = 0, total = 0
        for (name, image) in try Self.sources() {
            for quality in [10, 75, 97] {
                let input = Self.temporary(".pnm"), output = Self.temporary(".jpg")
                defer {
                    try? FileManager.default.removeItem(at: input)
                    try? FileManager.default.removeItem(at: output)
                }
                try Data(PNM.bytes(image)).write(to: input)
                var arguments = ["-baseline", "-quality", "\(quality)", "-outfile", output.path, input.path]
                if image.channels == 1 { arguments.insert("-grayscale", at: 0) }
                let result = try runProcess(cjpeg, arguments)
                try #require(result.status == 0, "\(name): \(result.stderr)")
                let theirs = [UInt8](try Data(contentsOf: output))
                let ours = try JPEG.encode(image, quality: quality)
                let same = Self.scan(ours) == Self.scan(theirs) && Self.firstQuantizers(ours) == Self.firstQuantizers(theirs)
                #expect(same, "\(name) q\(quality): \(ours.count) bytes, cjpeg \(theirs.count)")
                identical += same ? 1 : 0
                total += 1
            }
        }
        print("\(identical) of \(total) encodings have cjpeg's tables and scan bytes")
    }
}

/// Binary PGM/PPM (P5/P6, maxval 255): what djpeg writes and cjpeg reads.
enum PNM {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func bytes(_ image: Image) -> [UInt8] {
        Array("\(image.channels == 1 ? "P5" : "P6")\n\(image.width) \(image.height)\n255\n".utf8) + image.pixels
    }

    static func read(_ url: URL) throws -> Image {
        let bytes = [UInt8](try Data(contentsOf: url))
        let space: Set<UInt8> = [0x20, 0x0A, 0x0D, 0x09]
        var fields: [String] = []
        var i = 0
        while fields.count < 4, i < bytes.count {
            while i < bytes.count, space.contains(bytes[i]) { i += 1 }
            let start = i
            while i < bytes.count, !space.contains(bytes[i]) { i += 1 }
            fields.append(String(decoding: bytes[start..<i], as: UTF8.self))
        }
        i += 1
        guard fields.count == 4, fields[0] == "P5" || fields[0] == "P6", let w = Int(fields[1]), let h = Int(fields[2]),
              fields[3] == "255" else { throw Failure(description: "\(url.path): not an 8-bit PGM/PPM") }
        let channels = fields[0] == "P5" ? 1 : 3
        guard i <= bytes.count, bytes.count - i == w * h * channels else {
            throw Failure(description: "\(url.path): \(bytes.count - i) bytes of pixels for \(w)x\(h)x\(channels)")
        }
        return Image(width: w, height: h, channels: channels, pixels: Array(bytes[i...]))
    }
}
