import Foundation
import OctetData
import OctetTestSupport
import Testing

/// Baseline encoding: a real photo survives an encode/decode round trip, and invalid requests fail.
@Suite struct JPEGEncoderTests {
    /// A real photo that every clone has: the first record of the bundled pack of dev photos.
    static func photo() throws -> Image? {
        let reader = try RecordIOReader(path: Paths.fixture("rec/imagenet-dev-32.rec").path)
        guard let record = try reader.next() else { return nil }
        return try JPEG.decode(Array(try IRHeader.unpack(record.payload).image))
    }

    static func psnr(_ a: Image, _ b: Image) -> Double {
        var sum = 0.0
        for i in 0..<a.pixels.count {
            let d = Double(a.pixels[i]) - Double(b.pixels[i])
            sum += d * d
        }
        return 10 * log10(255 * 255 / (sum / Double(a.pixels.count)))
    }

    @Test(arguments: [(90, 30.0), (50, 26.0)])
    func colorRoundTrip(quality: Int, minimumPSNR: Double) throws {
        let image = try #require(try Self.photo())
        let bytes = try JPEG.encode(image, quality: quality)
        let decoded = try JPEG.decode(bytes)
        #expect(decoded.width == image.width && decoded.height == image.height && decoded.channels == 3)
        let psnr = Self.psnr(image, decoded)
        print("JPEG encode q\(quality): \(bytes.count) bytes, PSNR \(psnr) dB")
        #expect(psnr > minimumPSNR)
    }

    @Test func grayRoundTripKeepsOneChannel() throws {
        let image = try #require(try Self.photo())
        let gray = Image(width: image.width, height: image.height, channels: 1,
                         pixels: stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0 + 1] })
        let decoded = try JPEG.decode(try JPEG.encode(gray, quality: 90))
        #expect(decoded.channels == 1)
        #expect(Self.psnr(gray, decoded) > 30)
    }

    /// Odd sizes pad partial MCUs by repeating edges; a flat image must come back flat.
    @Test(arguments: [(1, 1), (17, 9), (33, 31)])
    func flatImagesOfOddSizes(width: Int, height: Int) throws {
        let image = Image(width: width, height: height, channels: 3,
                          pixels: [UInt8]((0..<(width * height)).flatMap { _ in [200, 120, 40] as [UInt8] }))
        let decoded = try JPEG.decode(try JPEG.encode(image, quality: 95))
        #expect(decoded.width == width && decoded.height == height)
        #expect(zip(image.pixels, decoded.pixels).allSatisfy { abs(Int($0) - Int($1)) <= 3 })
    }

    @Test func writesJFIFBaseline() throws {
        let image = Image(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 77, count: 64))
        let bytes = try JPEG.encode(image, quality: 75)
        #expect(Array(bytes.prefix(4)) == [0xFF, 0xD8, 0xFF, 0xE0])
        #expect(Array(bytes[6..<11]) == Array("JFIF\0".utf8))
        #expect(Array(bytes.suffix(2)) == [0xFF, 0xD9])
    }

    @Test(arguments: [0, 101, -5])
    func rejectsQualityOutsideTheRange(quality: Int) {
        let image = Image(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 0, count: 64))
        #expect(throws: DataError.self) { try JPEG.encode(image, quality: quality) }
    }
}
