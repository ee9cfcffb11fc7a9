import Foundation
import Octet
import OctetIR

/// The MODEL argument every model command takes: an ONNX file, or PyTorch weights with `--arch NAME`.
struct ModelArgument {
    var path = ""
    var arch: String?
    var numClasses: Int?
    var stripPrefix: String?

    static let help = """
          MODEL is an ONNX file, or a PyTorch .pth/.pt with --arch NAME [--num-classes N] [--strip-prefix P]
        """

    /// Reads --arch, --num-classes and --strip-prefix; the path comes later from the positionals.
    init(parsing arguments: inout Arguments) throws(UsageError) {
        arch = try arguments.option("arch")
        numClasses = try arguments.option("num-classes").map { text throws(UsageError) in
            guard let v = Int(text), v > 0 else { throw UsageError("--num-classes expects a positive integer, got '\(text)'") }
            return v
        }
        stripPrefix = try arguments.option("strip-prefix")
    }

    /// Takes the single positional MODEL.
    mutating func readPositional(_ arguments: inout Arguments) throws(UsageError) {
        let rest = try arguments.positionals()
        guard rest.count == 1 else { throw UsageError("expected one MODEL, got \(rest.count)") }
        path = rest[0]
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "pth" || ext == "pt" || ext == "pkl" || ext == "bin" {
            guard arch != nil else { throw UsageError("\(path) holds PyTorch weights: give --arch NAME") }
        } else if arch != nil {
            throw UsageError("--arch applies to PyTorch weight files (.pth/.pt), not \(path)")
        }
    }

    var source: ModelSource {
        arch.map { .pytorch(path: path, arch: $0, numClasses: numClasses, stripPrefix: stripPrefix) } ?? .onnx(path: path)
    }

    func load(threads: Int, bind: ((Graph) throws -> [String: [Int]])? = nil) throws -> Graph {
        try ModelLoader.load(source, threads: threads, reporter: .cli, bind: bind)
    }
}
