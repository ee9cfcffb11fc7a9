import Foundation
import Octet
import OctetCPU

/// `octet demo`: the whole job on the bundled real data — quantize MobileNetV2 with KL calibration on real
/// photos, evaluate float and int8 side by side, and time both.
struct DemoCommand: Command {
    static let name = "demo"
    static let summary = "quantize the bundled MobileNetV2 on bundled photos, evaluate and bench float vs int8"
    static let help = """
        usage: octet demo [--model Fixtures/mobilenet_v2.onnx] [--data Fixtures/rec/imagenet-dev-32.rec]
                          [--mode auto] [--out DIR] [--repeat 20] [--threads N]

          Run from the repository root (the defaults are the bundled fixtures). Writes DIR/model.int8.onnx
          (default: a temporary folder) and prints top-1/agreement and latency of both models.
        """

    var model: String
    var data: String
    var mode: String
    var outDirectory: String?
    var repeats: Int
    var threads: Int

    init(parsing arguments: inout Arguments) throws(UsageError) {
        model = try arguments.option("model") ?? "Fixtures/mobilenet_v2.onnx"
        data = try arguments.option("data") ?? "Fixtures/rec/imagenet-dev-32.rec"
        mode = try arguments.option("mode") ?? "auto"
        outDirectory = try arguments.option("out")
        repeats = try arguments.int("repeat", default: 20)
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        let rest = try arguments.positionals()
        guard rest.isEmpty else { throw UsageError("unexpected argument \(rest[0])") }
    }

    func run() throws {
        for path in [model, data] where !FileManager.default.fileExists(atPath: path) {
            throw InputError(path, "not found; run `octet demo` from the repository root, or pass --model/--data")
        }
        let dir = outDirectory ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("octet-demo")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let int8 = (dir as NSString).appendingPathComponent("model.int8.onnx")
        let t = String(threads)

        print("== 1. quantize \(model) with --mode \(mode) on \(data), evaluate float and int8 on the same photos")
        var args = Arguments([model, "-o", int8, "--calib", data, "--mode", mode, "--eval", data,
                              "--dump-scales", (dir as NSString).appendingPathComponent("scales.json"), "--threads", t])
        try QuantizeCommand(parsing: &args).run()

        print("\n== 2. bench float and int8 (realized on the integer kernels), batch 1, \(repeats) runs, \(threads) threads")
        var rows: [(String, LatencyStats)] = []
        for (label, path, extra) in [("float", model, []), ("int8", int8, []), ("int8 --simulate", int8, ["--simulate"])] {
            var b = Arguments([path, "--repeat", String(repeats), "--threads", t] + extra)
            rows.append((label, try BenchCommand(parsing: &b).measure()))
        }
        print("model             median (ms)   mean (ms)   p90 (ms)   images/s")
        for (label, s) in rows {
            print(label.padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(format: "  %10.2f  %10.2f  %9.2f  %9.1f", s.median, s.mean, s.p90, s.imagesPerSecond))
        }
        print(String(format: "\nint8 runs %.1fx as fast as float", rows[0].1.median / max(rows[1].1.median, 1e-9)))
        print("wrote \(int8) (standard QDQ ONNX: onnxruntime and TensorRT load it; `octet inspect --lowered` shows how Octet runs it)")
    }
}
