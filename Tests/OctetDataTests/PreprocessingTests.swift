import Foundation
import OctetData
import OctetIR
import OctetTestSupport
import Testing

@Suite struct LinearResizeTests {
    @Test("worked values of the doc table", arguments: [
        ([0, 100] as [UInt8], 4, [0, 25, 75, 100] as [UInt8]),
        ([0, 100, 200], 2, [25, 175]),
        ([10, 20, 30, 40], 2, [15, 35]),
    ])
    func row(source: [UInt8], width: Int, expected: [UInt8]) throws {
        let image = Image(width: source.count, height: 1, channels: 1, pixels: source)
        #expect(try LinearResize.resize(image, width: width, height: 1).pixels == expected)
    }

    @Test func windowMatchesTheFullResize() throws {
        let pixels = (0..<(37 * 23 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let image = Image(width: 37, height: 23, channels: 3, pixels: pixels)
        let full = try LinearResize.resize(image, width: 61, height: 40)
        let window = LinearResize.Window(x: 9, y: 5, width: 30, height: 21)
        let part = try LinearResize.resize(image, width: 61, height: 40, window: window)
        var expected: [UInt8] = []
        for y in 5..<26 { expected += full.pixels[((y * 61 + 9) * 3)..<((y * 61 + 39) * 3)] }
        #expect(part.pixels == expected)
    }

    @Test func refusesWindowsOutsideTheImage() {
        let image = Image(width: 4, height: 4, channels: 1, pixels: [UInt8](repeating: 7, count: 16))
        #expect(throws: DataError.self) {
            try LinearResize.resize(image, width: 8, height: 8, window: .init(x: 4, y: 0, width: 5, height: 8))
        }
    }
}

@Suite struct PreprocessingTests {
    struct Case: CustomStringConvertible {
        var name: String, resize: Int, size: Int
        var description: String { name }
    }

    static let cases: [Case] = {
        guard let text = try? String(contentsOf: Paths.fixture("preprocess/cases.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: "\t").map(String.init)
            guard f.count >= 3, let resize = Int(f[1]), let size = Int(f[2]) else { return nil }
            return Case(name: f[0], resize: resize, size: size)
        }
    }()

    @Test func referenceCasesArePresent() {
        #expect(Self.cases.count >= 6)
    }

    /// The fixtures come from OpenCV 4.8.1, which Octet's resize reproduces bit for bit.
    @Test("resize and crop match OpenCV exactly", arguments: cases)
    func matchesOpenCV(_ c: Case) throws {
        let source = try UInt8NPY.image(at: Paths.fixture("preprocess/\(c.name).src.npy"))
        let expected = try UInt8NPY.image(at: Paths.fixture("preprocess/\(c.name).out.npy"))
        var p = Preprocessing(preset: .none, size: c.size, resize: c.resize)
        p.size = c.size
        let crop = try p.resizedCrop(source)
        #expect(crop.width == expected.width && crop.height == expected.height && crop.channels == expected.channels)
        var worst = 0, off = 0
        for (a, b) in zip(crop.pixels, expected.pixels) where a != b {
            worst = max(worst, abs(Int(a) - Int(b)))
            off += 1
        }
        print("\(c.name): \(off) of \(expected.pixels.count) values differ from OpenCV, by at most \(worst)")
        #expect(off == 0)
    }

    @Test func normalisesToNCHWAndRepeatsGray() throws {
        let gray = Image(width: 3, height: 2, channels: 1, pixels: [0, 51, 102, 153, 204, 255])
        var p = Preprocessing(preset: .tf, size: 2, resize: 2)
        let t = try p.apply(gray)
        #expect(t.shape == [1, 3, 2, 2])
        let v = t.floatValues()
        // 3x2 with shorter side 2 stays as is; crop left = (3 - 2) / 2 = 0.
        let plane: [Float] = [0, 51, 153, 204].map { ($0 - 127.5) / 127.5 }
        #expect(v == plane + plane + plane)
        p.mean = [1, 2, 3]
        p.std = [2, 4, 8]
        let rgb = Image(width: 1, height: 1, channels: 3, pixels: [11, 22, 43])
        p.size = 1
        p.resize = 1
        #expect(try p.apply(rgb).floatValues() == [5, 5, 5])
    }

    @Test func refusesACropLargerThanTheResize() {
        let p = Preprocessing(preset: .none, size: 300, resize: 256)
        #expect(throws: DataError.self) { try p.apply(Image(width: 4, height: 4, channels: 1, pixels: .init(repeating: 0, count: 16))) }
    }

    @Test func shorterSideSizes() {
        #expect(Preprocessing.shorterSideSize(width: 500, height: 375, shorter: 256) == (341, 256))
        #expect(Preprocessing.shorterSideSize(width: 333, height: 500, shorter: 256) == (256, 384))
        #expect(Preprocessing.shorterSideSize(width: 150, height: 150, shorter: 256) == (256, 256))
    }
}
