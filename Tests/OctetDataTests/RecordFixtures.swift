import Foundation
import OctetTestSupport

/// What MXNet read from a committed `.rec` fixture (`Fixtures/rec/NAME.tsv`, written by
/// Scripts/check-recordio-mxnet.sh).
struct MXNetRecordTable {
    struct Row {
        var record: Int, key: UInt64, offset: Int64
        var flag: UInt32?, labels: [Float]?, id: UInt64?, id2: UInt64?
        var payloadBytes: Int, payloadCRC: UInt32
        var imageBytes: Int?, imageCRC: UInt32?
        var iterLabel: Float?
        var iterMeans: [Double]?
    }

    var parts: Int
    var rows: [Row]

    init(_ name: String) throws {
        let text = try String(contentsOf: Paths.fixture("rec/\(name).tsv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        parts = Int(lines[0][1]) ?? -1
        rows = lines.dropFirst(2).map { f in
            Row(record: Int(f[0]) ?? -1, key: UInt64(f[1]) ?? .max, offset: Int64(f[2]) ?? -1,
                flag: UInt32(f[3]), labels: f[4] == "-" ? nil : f[4].split(separator: ",").compactMap { Float($0) },
                id: UInt64(f[5]), id2: UInt64(f[6]), payloadBytes: Int(f[7]) ?? -1, payloadCRC: UInt32(f[8]) ?? 0,
                imageBytes: Int(f[9]), imageCRC: UInt32(f[10]),
                iterLabel: f.count > 11 ? Float(f[11]) : nil,
                iterMeans: f.count > 12 ? f[12].split(separator: ",").compactMap { Double($0) } : nil)
        }
    }
}

/// zlib's CRC-32, the checksum the fixture tables hold.
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var table = [UInt32](repeating: 0, count: 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        table[i] = c
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("octet-\(UUID().uuidString)-\(name)").path
}
