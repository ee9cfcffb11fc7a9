import Foundation
import OctetTestSupport
import Testing

/// Examples/c/classify.c, built with the system C compiler against the C API's shared library, prints the
/// top-5 and writes the logits `octet run` gives for the same photo, float and int8.
@Suite(.serialized) struct CExampleTests {
    static let mobileNet = "Fixtures/mobilenet_v2.onnx"
    static let photo = "Fixtures/photos/n07714990_broccoli.JPEG"

    /// `OCTET_CC` when set (the sanitized tests set the toolchain's clang, whose sanitizer runtime the
    /// library was built against), else `cc`, `gcc` or `clang` on the PATH.
    static func compiler() -> URL? {
        if let cc = ProcessInfo.processInfo.environment["OCTET_CC"], !cc.isEmpty { return URL(fileURLWithPath: cc) }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        for name in ["cc", "gcc", "clang"] {
            for dir in path {
                let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// Builds the example against the libOctet.so of this build, linked as -loctet (its soname).
    static func buildExample(in dir: String) throws -> URL? {
        guard let cc = compiler() else {
            print("SKIPPED: no C compiler (cc, gcc or clang) on the PATH to build Examples/c/classify.c")
            return nil
        }
        let library = Paths.octetBinary.deletingLastPathComponent().appendingPathComponent("libOctet.so")
        guard Paths.exists(library) else { throw MissingBinary(path: library.path) }
        let libDir = dir + "/lib"
        try FileManager.default.createDirectory(atPath: libDir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: libDir + "/liboctet.so")
        try FileManager.default.createSymbolicLink(atPath: libDir + "/liboctet.so", withDestinationPath: library.path)
        let binary = URL(fileURLWithPath: dir + "/classify")
        // OCTET_CFLAGS: the sanitizer flags the library was built with, so the program links their runtime.
        let extra = (ProcessInfo.processInfo.environment["OCTET_CFLAGS"] ?? "").split(separator: " ").map(String.init)
        let r = try runProcess(cc, extra + ["-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror",
                                    Paths.root.path + "/Examples/c/classify.c",
                                    "-I" + Paths.root.path + "/Sources/COctetAPI/include", "-L" + libDir, "-loctet",
                                    "-Wl,-rpath," + libDir, "-lm", "-o", binary.path])
        #expect(r.status == 0, "\(r.stderr)")
        return r.status == 0 ? binary : nil
    }

    @Test func exampleGivesOctetRunsTopFiveAndLogits() throws {
        let dir = NSTemporaryDirectory() + "octet-c-example-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let classify = try Self.buildExample(in: dir) else { return }

        let int8 = dir + "/mobilenet_v2.int8.onnx"
        let q = try runOctet(["quantize", Self.mobileNet, "-o", int8, "--calib", "Fixtures/rec/dev8.rec",
                              "--mode", "max", "--samples", "8", "--threads", "2"])
        try #require(q.status == 0, "\(q.stderr)")
        for model in [Self.mobileNet, int8] {
            let run = try runOctet(["run", model, "--input", Self.photo, "--save", dir + "/out",
                                    "--save-inputs", dir + "/in", "--top", "5"])
            try #require(run.status == 0, "\(run.stderr)")
            let c = try runProcess(classify, [model, dir + "/in/input.npy", "--save-logits", dir + "/c.bin"],
                                   currentDirectory: Paths.root)
            try #require(c.status == 0, "\(c.stderr)")
            let npy = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/logits.npy"))
            let logits = try Data(contentsOf: URL(fileURLWithPath: dir + "/c.bin"))
            #expect(logits.count == 4000)
            #expect(npy.suffix(4000) == logits, "\(model): the C API's logits differ from octet run's")
            #expect(Self.topClasses(c.stdout, after: "rank") == Self.topClasses(run.stdout, after: "rank"))
            #expect(Self.topClasses(c.stdout, after: "rank").count == 5)
            #expect(c.stdout.contains("input  input dtype 1 shape [-1, 3, 224, 224]"), "\(c.stdout)")
        }
    }

    /// The class column of the lines after the header that starts with `header`.
    static func topClasses(_ text: String, after header: String) -> [String] {
        let lines = text.split(separator: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else { return [] }
        return lines[(start + 1)...].prefix(5).compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
    }
}
