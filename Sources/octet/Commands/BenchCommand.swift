import Foundation
import OctetCPU
import OctetIR

/// `octet bench MODEL`: latency statistics as TVM's time_evaluator reports them.
struct BenchCommand: Command {
    static let name = "bench"
    static let summary = "time a model on random inputs (TVM-style summary, p90/p99, images/s)"
    static let help = """
        usage: octet bench MODEL [--target cpu] [--simulate] [--repeat 100] [--number 1] [--batch N] [--threads N]
                                 [--shape NAME=D,D,..] [--warmup 3] [--json]

          --repeat N     measurements to summarize (each is the mean of --number runs)
          --number N     runs averaged into one measurement
          --batch N      the size of a symbolic first dimension (default 1)
          --shape S      a full input shape for inputs with symbolic dims other than the batch
          --threads N    CPU threads (default: all cores)
          --warmup N     untimed runs first (default 3)
          --json         print one JSON object: mean_ms, median_ms, max_ms, min_ms, std_ms, p90_ms, p99_ms,
                         images_per_s, batch, repeat, number, threads
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
        try model.readPositional(&arguments)
    }

    func run() throws {
        let stats = try measure()
        if json {
            print(stats.json(extra: ["batch": batch, "repeat": repeats, "number": number, "threads": threads]))
        } else {
            print(stats.table)
        }
    }

    func measure() throws -> LatencyStats {
        let graph = try model.load(threads: threads) { imported in
            var shapes: [String: [Int]] = [:]
            for input in imported.inputs {
                shapes[input.name] = try InputShapes.resolve(input, batch: batch, explicit: self.shapes, file: path)
            }
            return shapes
        }
        let backend = try target.backend(threads: threads)
        let model = try backend.compile(execution.prepare(graph, path: path))
        let inputs = try InputShapes.randomInputs(for: graph, batch: batch, explicit: shapes, file: path)
        for _ in 0..<warmup { _ = try model.run(inputs) }
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<number { _ = try model.run(inputs) }
            let end = DispatchTime.now().uptimeNanoseconds
            samples.append(Double(end - start) / 1e6 / Double(number))
        }
        return LatencyStats(samples, batch: batch)
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

    func json(extra: [String: Int]) -> String {
        let fields: [(String, Double)] = [("mean_ms", mean), ("median_ms", median), ("max_ms", max), ("min_ms", min),
                                          ("std_ms", std), ("p90_ms", p90), ("p99_ms", p99),
                                          ("images_per_s", imagesPerSecond)]
        var parts = fields.map { "\"\($0.0)\":\(String(format: "%.6f", $0.1))" }
        parts += extra.sorted(by: { $0.key < $1.key }).map { "\"\($0.key)\":\($0.value)" }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
