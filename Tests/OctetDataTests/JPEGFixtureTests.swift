import Foundation
import OctetData
import OctetTestSupport
import Testing

/// The decoder against libjpeg-turbo (Pillow) on committed 37x21 crops of a real photo, in every
/// sampling, progressive, with restarts and gray (Scripts/make-jpeg-fixtures.py): runs with no download.
@Suite struct JPEGFixtureTests {
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Paths.fixture("jpeg").path)) ?? []
        return files.filter { $0.hasSuffix(".jpg") }.map { String($0.dropLast(4)) }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.names.count >= 7)
    }

    @Test("a fixture crop decodes as libjpeg-turbo does", arguments: names)
    func matchesPillow(_ name: String) throws {
        let decoded = try JPEG.decode([UInt8](try Data(contentsOf: Paths.fixture("jpeg/\(name).jpg"))))
        let expected = try UInt8NPY.image(at: Paths.fixture("jpeg/\(name).npy"))
        try #require(decoded.width == 37 && decoded.height == 21 && decoded.channels == expected.channels)
        let a = JPEGDecoderTests.agreement(decoded, expected)
        print("\(name): \(a.withinOne) of \(a.samples) samples within 1, max difference \(a.maxDiff), "
              + "bit-exact: \(decoded.pixels == expected.pixels)")
        #expect(Double(a.withinOne) >= 0.99 * Double(a.samples) && a.maxDiff <= 3)
    }
}
