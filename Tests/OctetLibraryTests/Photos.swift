import Foundation
import OctetData
import OctetIR
import OctetTestSupport

/// Bundled photos, preprocessed as `octet run` does by default.
enum Photos {
    static func tensor(_ index: Int = 0) throws -> Tensor {
        let names = try FileManager.default.contentsOfDirectory(atPath: Paths.fixture("photos").path)
            .filter { $0.hasSuffix(".JPEG") }.sorted()
        let data = try Data(contentsOf: Paths.fixture("photos").appendingPathComponent(names[index % names.count]))
        return try Preprocessing().apply(JPEG.decode([UInt8](data)))
    }
}
