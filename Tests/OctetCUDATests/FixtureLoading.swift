import Foundation
import Octet
import OctetIR

/// A quantized fixture loaded as the CLI loads it and realized on integer ops.
enum FixtureLoading {
    static func realized(_ url: URL) throws -> Graph {
        let graph = try ModelLoader.load(.onnx(path: url.path), threads: 1)
        return try Session.lower(graph, simulate: false, path: url.lastPathComponent)
    }
}
