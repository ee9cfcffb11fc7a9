import Foundation
import OctetData

/// Reads the uint8 `.npy` fixtures of the preprocessing tests (version 1, C order) into an `Image`;
/// the general NPY reader lives in OctetFormats, which this test target does not import.
enum UInt8NPY {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func image(at url: URL) throws -> Image {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count > 10, bytes.starts(with: [0x93] + Array("NUMPY".utf8)), bytes[6] == 1 else {
            throw Failure(description: "\(url.lastPathComponent): not a version 1 .npy")
        }
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        guard 10 + headerLength <= bytes.count,
              let header = String(bytes: bytes[10..<(10 + headerLength)], encoding: .ascii),
              header.contains("'descr': '|u1'"), header.contains("'fortran_order': False"),
              let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")") else {
            throw Failure(description: "\(url.lastPathComponent): expected a C-order uint8 array")
        }
        let shape = header[header.index(after: open)..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let pixels = Array(bytes[(10 + headerLength)...])
        guard shape.count == 2 || (shape.count == 3 && (shape[2] == 3 || shape[2] == 1)), pixels.count == shape.reduce(1, *) else {
            throw Failure(description: "\(url.lastPathComponent): shape \(shape) does not fit \(pixels.count) bytes")
        }
        return Image(width: shape[1], height: shape[0], channels: shape.count == 2 ? 1 : shape[2], pixels: pixels)
    }
}
