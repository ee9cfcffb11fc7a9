import Foundation
import Octet
import OctetData

/// `octet decode FILES...`: JPEG decoding throughput on one thread, to compare with djpeg.
struct DecodeCommand: Command {
    static let name = "decode"
    static let summary = "time JPEG decoding of files on one thread (images, seconds, megapixels/s)"
    static let help = """
        usage: octet decode FILES... [--repeat N] [--json]

          --repeat N     decode every file N times (default 1); files are read once, before timing
          --json         print one JSON object: images, seconds, megapixels (decoded in all),
                         megapixels_per_s
        """

    var paths: [String]
    var repeats: Int
    var json: Bool

    init(parsing arguments: inout Arguments) throws(UsageError) {
        repeats = try arguments.int("repeat", default: 1)
        json = arguments.flag("json")
        paths = try arguments.positionals()
        guard !paths.isEmpty else { throw UsageError("expected at least one JPEG file") }
    }

    func run() throws {
        var files: [(path: String, bytes: [UInt8])] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path, "cannot read the file") }
            files.append((path, [UInt8](data)))
        }
        var images = 0, pixels = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats {
            for file in files {
                let image: Image
                do { image = try JPEG.decode(file.bytes) } catch { throw InputError(file.path, error) }
                images += 1
                pixels += image.width * image.height
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let megapixelsPerSecond = seconds > 0 ? Double(pixels) / 1e6 / seconds : 0
        if json {
            print("{\"images\":\(images),\"seconds\":\(String(format: "%.6f", seconds)),"
                  + "\"megapixels\":\(String(format: "%.3f", Double(pixels) / 1e6)),"
                  + "\"megapixels_per_s\":\(String(format: "%.3f", megapixelsPerSecond))}")
        } else {
            print("\(images) images in \(String(format: "%.3f", seconds)) s: \(String(format: "%.1f", megapixelsPerSecond)) megapixels/s")
        }
    }
}
