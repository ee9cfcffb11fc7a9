import Foundation
import Octet
import OctetCPU
import OctetIR

/// `octet bench MODEL`: latency statistics as TVM's time_evaluator reports them.
struct BenchCommand: Command {
    static let name = "bench"
    static let summary = "time a model on random inputs (TVM-style summary, p90/p99, images/s)"
    static let help = """
        usage: octet bench MODEL [--target cpu|cuda] [--simulate] [--profile [--top 10]] [--isa I] [--repeat 100] [--number 1]
                                 [--batch N] [--threads N] [--shape NAME=D,D,..] [--warmup 3] [--json]

          --repeat N     measurements to summarize (each is the mean of --number runs)
          --number N     runs averaged into one measurement
          --batch N      the size of a symbolic first dimension (default 1)
          --shape S      a full input shape for inputs with symbolic dims other than the batch
          --threads N    CPU threads (default: all cores)
          --warmup N     untimed runs first (default 3)
          --profile      also time every node on the CPU: totals by op and kernel, then the slowest nodes
          --top N        with --profile, how many of the slowest nodes to list (default 10)
          --json         print one JSON object: mean_ms, median_ms, max_ms, min_ms, std_ms, p90_ms, p99_ms,
                         images_per_s, batch, repeat, number, threads
        \(ISAChoice.help)
        \(ExecutionOptions.help)
        \(ModelArgument.help)
        """

    var model: ModelArgument
    var path: String { model.path }
    var target: Target
    var repeats: Int
    var number: Int
    var batch: Int
    var threads: Int
    var warmup: Int
    var shapes: [String: [Int]]
    var json: Bool
    var profile: Bool
    var top: Int
    var isa: ISAChoice
    var execution: ExecutionOptions

    init(parsing arguments: inout Arguments) throws(UsageError) {
        model = try ModelArgument(parsing: &arguments)
        execution = ExecutionOptions(parsing: &arguments)
        target = try arguments.choice("target", default: .cpu)
        repeats = try arguments.int("repeat", default: 100)
        number = try arguments.int("number", default: 1)
        batch = try arguments.int("batch", default: 1)
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        warmup = try arguments.int("warmup", default: 3, range: 0...10_000)
        shapes = try InputShapes.parse(arguments.options("shape"))
        json = arguments.flag("json")
        profile = arguments.flag("profile")
        top = try arguments.int("top", default: 10, range: 1...1_000_000)
        isa = try arguments.choice("isa", default: .best)
        try model.readPositional(&arguments)
    }

    func run() throws {
        let device = try target.describe(threads: threads)
        let stats = try isa.run { try measure() }
        if profile { try isa.run { try printProfile() } }
        if json {
            print(stats.json(extra: ["batch": batch, "repeat": repeats, "number": number, "threads": threads],
                             text: ["isa": target == .cpu ? isa.effective : "", "target": target.rawValue, "device": device]))
        } else {
            print("device: \(device)" + (target == .cuda ? " (timed with CUDA events, inputs on the device)" : ""))
            print(stats.table)
        }
    }

    func measure() throws -> LatencyStats {
        let (model, inputs) = try prepare()
        for _ in 0..<warmup { _ = try model.run(inputs) }
        // An accelerator times itself: its clock, without the copies of inputs and outputs.
        if let timed = try model.deviceMilliseconds(inputs, runs: repeats * number) {
            let samples = stride(from: 0, to: timed.count, by: number).map { i in
                timed[i..<min(i + number, timed.count)].reduce(0, +) / Double(number)
            }
            return LatencyStats(samples, batch: batch)
        }
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<number { _ = try model.run(inputs) }
            let end = DispatchTime.now().uptimeNanoseconds
            samples.append(Double(end - start) / 1e6 / Double(number))
        }
        return LatencyStats(samples, batch: batch)
    }

    private func printProfile() throws {
        guard target == .cpu else { throw InputError(path, "--profile times the CPU backend only") }
        let (session, inputs) = try prepare()
        let rows = try CPUBackend(threads: threads).profile(session.compiledGraph, inputs: inputs, runs: repeats)
        var groups: [String: (ms: Double, count: Int)] = [:]
        for r in rows {
            let key = "\(r.op) (\(r.kernel))"
            let g = groups[key] ?? (0, 0)
            groups[key] = (g.ms + r.milliseconds, g.count + 1)
        }
        let total = rows.reduce(0) { $0 + $1.milliseconds }
        print("\nprofile: \(String(format: "%.3f", total)) ms per run, by op and kernel")
        for (key, g) in groups.sorted(by: { $0.value.ms > $1.value.ms }) where g.ms > 0.0005 {
            print(String(format: "  %8.3f ms %5.1f%%  %4d × ", g.ms, 100 * g.ms / max(total, 1e-9), g.count) + key)
        }
        print("slowest nodes:")
        for r in rows.sorted(by: { $0.milliseconds > $1.milliseconds }).prefix(top) {
            print(String(format: "  %8.3f ms  ", r.milliseconds) + "\(r.op) \"\(r.node)\" (\(r.kernel))")
        }
    }

    /// The model loaded with the bench's shapes, realized unless --simulate, compiled for the target.
    private func openSession() throws -> Session {
        try Session(model.source, options: execution.sessionOptions(target: target, threads: threads),
                    reporter: .cli) { imported in
            var shapes: [String: [Int]] = [:]
            for input in imported.inputs {
                shapes[input.name] = try InputShapes.resolve(input, batch: batch, explicit: self.shapes, file: path)
            }
            return shapes
        }
    }

    private func prepare() throws -> (Session, [String: Tensor]) {
        let session = try openSession()
        return (session, try InputShapes.randomInputs(for: session.graph, batch: batch, explicit: shapes, file: path))
    }
}

/// Summary statistics over per-run latencies in milliseconds.
struct LatencyStats {
    var mean, median, max, min, std, p90, p99, imagesPerSecond: Double

    init(_ samples: [Double], batch: Int) {
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        mean = sorted.reduce(0, +) / n
        median = sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        max = sorted.last ?? 0
        min = sorted.first ?? 0
        let m = mean
        std = (sorted.map { ($0 - m) * ($0 - m) }.reduce(0, +) / n).squareRoot()
        p90 = LatencyStats.percentile(sorted, 0.90)
        p99 = LatencyStats.percentile(sorted, 0.99)
        imagesPerSecond = mean > 0 ? Double(batch) * 1000 / mean : 0
    }

    /// Linear interpolation between closest ranks, as numpy's default percentile.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = Swift.min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    var table: String {
        func cell(_ v: Double) -> String { String(format: "%12.4f", v) }
        return """
            Execution time summary:
             mean (ms)   median (ms)    max (ms)     min (ms)     std (ms)
            \(cell(mean))\(cell(median))\(cell(max))\(cell(min))\(cell(std))
            p90 (ms): \(String(format: "%.4f", p90))  p99 (ms): \(String(format: "%.4f", p99))  \
            images/s: \(String(format: "%.2f", imagesPerSecond))
            """
    }

    func json(extra: [String: Int], text: [String: String] = [:]) -> String {
        let fields: [(String, Double)] = [("mean_ms", mean), ("median_ms", median), ("max_ms", max), ("min_ms", min),
                                          ("std_ms", std), ("p90_ms", p90), ("p99_ms", p99),
                                          ("images_per_s", imagesPerSecond)]
        var parts = fields.map { "\"\($0.0)\":\(String(format: "%.6f", $0.1))" }
        parts += extra.sorted(by: { $0.key < $1.key }).map { "\"\($0.key)\":\($0.value)" }
        func quoted(_ v: String) -> String {
            "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        parts += text.sorted(by: { $0.key < $1.key }).map { "\"\($0.key)\":" + quoted($0.value) }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
