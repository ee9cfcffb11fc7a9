import Foundation
import OctetCPU
import OctetData
import OctetIR
import OctetQuant

/// `octet quantize MODEL -o OUT.onnx --calib DATA`: calibrate on real data, write a QDQ ONNX model.
struct QuantizeCommand: Command {
    static let name = "quantize"
    static let summary = "calibrate a float model on real data and write an int8 QDQ ONNX model"
    static let help = """
        usage: octet quantize MODEL -o OUT.onnx --dynamic [--dynamic-conv] [--per-tensor]
               octet quantize MODEL -o OUT.onnx --calib DATA [--mode kl|global|max|power2|percentile|mse|all]
                              [--per-channel|--per-tensor] [--weight-scale max|power2] [--activations int8|uint8]
                              [--samples N] [--batch N] [--skip-conv 0,..|none] [--skip-dense]
                              [--exclude NODE,..] [--exclude-type OP,..] [--dump-scales F.json]
                              [--load-scales F.json] [--global-scale 8.0] [--percentile 99.999]
                              [--eval DATA [--simulate]] [--limit N] [--skip-bad] [--threads N] [PREPROCESS]

          MODEL              an ONNX file, or a .pth/.pt with --arch NAME
          --dynamic          no calibration: int8 weights for MatMul and Gemm, activations quantized per
                             batch at run time (DynamicQuantizeLinear + MatMulInteger), as quantize_dynamic
          --dynamic-conv     with --dynamic, Conv too (ConvInteger)
          --calib DATA       calibration images: .rec (+.idx), a folder of images, or .npy batches
                             (read twice by kl, percentile and mse: ranges, then histograms)
          --mode M           how activation ranges are chosen (default kl); `all` calibrates once and
                             reports every mode side by side (agreement with the float model on --eval
                             data), writing the best one to OUT
          --samples N        calibration images to use (default 100)
          --batch N          images per calibration batch (default 8)
          --skip-conv L      indices of convolutions kept float (default 0, the first; `none` for none)
          --skip-dense       keep Gemm/MatMul float
          --exclude N,..     node names kept float;  --exclude-type T,..  op types kept float
          --dump-scales F    write per-tensor scale, zero point, range and mode as JSON
          --load-scales F    reuse a calibration written by --dump-scales (no --calib needed)
          --eval DATA        labelled images to report float and int8 top-1 and agreement on (the int8
                             model realized on the integer kernels, or simulated with --simulate)
          --limit N          images of --eval to use (default all)
          --skip-bad         skip calibration records that fail to decode (counted) instead of stopping
        \(ModelArgument.help)
        \(PreprocessOptions.help)
        """

    var model: ModelArgument
    var output: String
    var calib: String?
    var evalData: String?
    var modes: [CalibrationMode]
    var config: QuantizationConfig
    var samples: Int
    var batch: Int
    var limit: Int?
    var threads: Int
    var skipBad: Bool
    var dumpScales: String?
    var loadScales: String?
    var preprocess: PreprocessOptions
    var execution: ExecutionOptions
    var dynamic: Bool
    var dynamicConv: Bool

    init(parsing arguments: inout Arguments) throws(UsageError) {
        model = try ModelArgument(parsing: &arguments)
        guard let out = try arguments.option("output", short: "o") else { throw UsageError("give -o OUT.onnx") }
        output = out
        calib = try arguments.option("calib")
        evalData = try arguments.option("eval")
        var config = QuantizationConfig()
        let modeText = try arguments.option("mode") ?? "kl"
        if modeText == "all" {
            modes = CalibrationMode.allCases
        } else if let m = CalibrationMode(rawValue: modeText) {
            modes = [m]
        } else {
            throw UsageError("--mode must be one of \(CalibrationMode.allCases.map(\.rawValue).joined(separator: "|"))|all, got '\(modeText)'")
        }
        config.mode = modes[0]
        let perTensor = arguments.flag("per-tensor")
        let perChannel = arguments.flag("per-channel")
        guard !(perTensor && perChannel) else { throw UsageError("--per-channel and --per-tensor exclude each other") }
        config.perChannel = !perTensor
        config.weightScale = try arguments.choice("weight-scale", default: .max)
        config.activations = try arguments.choice("activations", default: .int8)
        if let skip = try arguments.option("skip-conv") {
            if skip == "none" || skip.isEmpty {
                config.skipConv = []
            } else {
                config.skipConv = try skip.split(separator: ",").map { text throws(UsageError) in
                    guard let v = Int(text), v >= 0 else { throw UsageError("--skip-conv expects indices like 0,3 or none, got '\(skip)'") }
                    return v
                }
            }
        }
        config.skipDense = arguments.flag("skip-dense")
        config.exclude = try arguments.option("exclude").map { $0.split(separator: ",").map(String.init) } ?? []
        config.excludeTypes = try arguments.option("exclude-type").map { $0.split(separator: ",").map(String.init) } ?? []
        if let g = try arguments.double("global-scale") {
            guard g > 0 else { throw UsageError("--global-scale must be positive") }
            config.calibration.globalScale = g
        }
        if let p = try arguments.double("percentile") {
            guard p > 0 && p <= 100 else { throw UsageError("--percentile must be in (0, 100]") }
            config.calibration.percentile = p
        }
        self.config = config
        samples = try arguments.int("samples", default: 100)
        batch = try arguments.int("batch", default: 8, range: 1...4096)
        limit = try arguments.option("limit").map { text throws(UsageError) in
            guard let v = Int(text), v > 0 else { throw UsageError("--limit expects a positive integer, got '\(text)'") }
            return v
        }
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        skipBad = arguments.flag("skip-bad")
        dumpScales = try arguments.option("dump-scales")
        loadScales = try arguments.option("load-scales")
        preprocess = try PreprocessOptions(parsing: &arguments)
        execution = ExecutionOptions(parsing: &arguments)
        dynamic = arguments.flag("dynamic")
        dynamicConv = arguments.flag("dynamic-conv")
        try model.readPositional(&arguments)
        if dynamic {
            guard calib == nil, loadScales == nil, evalData == nil else {
                throw UsageError("--dynamic needs no calibration: leave out --calib, --load-scales and --eval")
            }
            return
        }
        guard !dynamicConv else { throw UsageError("--dynamic-conv goes with --dynamic") }
        guard calib != nil || loadScales != nil else { throw UsageError("give --calib DATA (or --load-scales F.json)") }
        guard modes.count == 1 || loadScales == nil else { throw UsageError("--mode all needs --calib, not --load-scales") }
    }

    func run() throws {
        let started = Date()
        let graph = try model.load(threads: threads)
        if dynamic { return try quantizeDynamically(graph, started: started) }
        let quantizer = Quantizer(config: config)
        let plan: QuantizationPlan
        do { plan = try quantizer.plan(graph) } catch { throw InputError(model.path, error) }
        for (node, reason) in plan.keptFloat { printError("octet: keeping \(node) float (\(reason))") }

        var rangesByMode: [CalibrationMode: [String: TensorRange]] = [:]
        if let loadScales {
            guard let data = FileManager.default.contents(atPath: loadScales) else {
                throw InputError(loadScales, "cannot read the file")
            }
            let loaded: [String: TensorRange]
            do { loaded = try ScaleFile.decode(data) } catch { throw InputError(loadScales, error) }
            let missing = plan.activations.filter { loaded[$0] == nil }
            guard missing.isEmpty else {
                throw InputError(loadScales, "no scale for \(missing.count) tensor(s) of this model, e.g. \"\(missing[0])\"")
            }
            rangesByMode[config.mode] = loaded
        } else if let calib {
            let observers = try calibrate(graph, plan: plan, data: calib)
            for mode in modes {
                do { rangesByMode[mode] = try config.ranges(observers, mode: mode) } catch { throw InputError(calib, error) }
            }
        }

        var chosen = config.mode
        var results: [(CalibrationMode, Graph, Evaluation?)] = []
        for mode in modes {
            guard let ranges = rangesByMode[mode] else { continue }
            let q: Graph
            do { q = try quantizer.quantize(graph, plan: plan, ranges: ranges) } catch { throw InputError(model.path, error) }
            results.append((mode, q, nil))
        }
        if let evalPath = evalData ?? (modes.count > 1 ? calib : nil) {
            if evalData == nil { printError("octet: warning: no --eval data; comparing modes on the calibration images") }
            let evals = try evaluate(float: graph, quantized: results.map(\.1), data: evalPath)
            for i in results.indices { results[i].2 = evals.quantized[i] }
            printModeTable(float: evals.float, results: results)
            if modes.count > 1 {
                chosen = results.max { ($0.2?.agreementPercent ?? 0) < ($1.2?.agreementPercent ?? 0) }?.0 ?? chosen
                print("writing the mode with the best agreement: \(chosen.rawValue)")
            }
        }
        guard let best = results.first(where: { $0.0 == chosen }) else { return }
        if let dumpScales, let ranges = rangesByMode[chosen] {
            try writeAtomically([UInt8](try ScaleFile.encode(ranges)), to: dumpScales)
        }
        try ModelWriter.write(best.1, to: output)
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "quantized %d nodes (%d kept float), %@ -> %@, mode %@, %.1f s -> %@",
                     plan.quantizedNodes.count, plan.keptFloat.count, megabytes(graph), megabytes(best.1),
                     chosen.rawValue, seconds, output))
    }

    private func calibrate(_ graph: Graph, plan: QuantizationPlan, data: String) throws -> [String: Observer] {
        let needsHistogram = modes.contains { $0.needsHistogram }
        var source = try openCalibration(data, graph: graph)
        let total = min(source.count ?? samples, samples)
        var bar = ProgressBar(needsHistogram ? "calibrating (1/2 ranges)" : "calibrating", total: total)
        var seen = 0
        let run = CalibrationRun(graph: graph, tensors: plan.activations,
                                 histogramBins: needsHistogram ? config.calibration.histogramBins : nil,
                                 backend: CPUBackend(threads: threads))
        let inputName = graph.inputs[0].name
        var passes = 0
        let observers: [String: Observer]
        do {
            observers = try run.observe(open: {
                passes += 1
                if passes > 1 {
                    bar.finish()
                    bar = ProgressBar("calibrating (2/2 histograms)", total: total)
                    source = try openCalibration(data, graph: graph)
                    seen = 0
                }
                return {
                    guard seen < samples, let b = try source.next() else { return nil }
                    seen += b.labels.count
                    return [inputName: b.images]
                }
            }, progress: { _, _ in bar.update(seen) })
        } catch let e as InputError { throw e } catch { throw InputError(data, error) }
        bar.finish()
        let bad = observers.filter { $0.value.nonFinite > 0 }
        if !bad.isEmpty {
            printError("octet: warning: \(bad.count) tensor(s) had NaN/inf during calibration (left out of the ranges), "
                + "e.g. \"\(bad.keys.sorted()[0])\"")
        }
        for message in source.skippedMessages { printError("octet: warning: skipped \(message)") }
        printError("octet: calibrated \(plan.activations.count) tensors on \(seen) images"
            + (source.skipped > 0 ? " (\(source.skipped) bad records skipped)" : ""))
        return observers
    }

    private func openCalibration(_ data: String, graph: Graph) throws -> DataSource {
        let source = try DataSource(data, preprocessing: preprocess.preprocessing, batch: batch, limit: samples,
                                    skipBad: skipBad, threads: threads)
        try source.checkFits(graph, file: data)
        return source
    }

    private func evaluate(float: Graph, quantized: [Graph], data: String) throws
        -> (float: Evaluation, quantized: [Evaluation]) {
        let backend = CPUBackend(threads: threads)
        let floatModel = try backend.compile(float)
        let qModels = try quantized.map { try backend.compile(execution.prepare($0, path: output)) }
        let source = try DataSource(data, preprocessing: preprocess.preprocessing, batch: batch, limit: limit,
                                    skipBad: false, threads: threads)
        try source.checkFits(float, file: data)
        let bar = ProgressBar("evaluating", total: source.count ?? 0)
        var floatEval = Evaluation()
        var qEvals = quantized.map { _ in Evaluation() }
        let inputName = float.inputs[0].name, outputName = float.outputs[0].name
        while let b = try source.next() {
            let feeds = [inputName: b.images]
            guard let ref = try floatModel.run(feeds)[outputName] else { break }
            floatEval.add(logits: ref, labels: b.labels)
            for (i, m) in qModels.enumerated() {
                guard let out = try m.run(feeds)[outputName] else { continue }
                qEvals[i].add(logits: out, labels: b.labels, reference: ref)
            }
            bar.update(floatEval.images)
        }
        bar.finish()
        return (floatEval, qEvals)
    }

    private func quantizeDynamically(_ graph: Graph, started: Date) throws {
        let result: (graph: Graph, quantized: [String], keptFloat: [(node: String, reason: String)])
        do {
            result = try DynamicQuantizer(perChannel: config.perChannel, includeConv: dynamicConv).quantize(graph)
        } catch {
            throw InputError(model.path, error)
        }
        for (node, reason) in result.keptFloat { printError("octet: keeping \(node) float (\(reason))") }
        try ModelWriter.write(result.graph, to: output)
        print(String(format: "quantized %d nodes dynamically (%d kept float), %@ -> %@, %.1f s -> %@",
                     result.quantized.count, result.keptFloat.count, megabytes(graph), megabytes(result.graph),
                     Date().timeIntervalSince(started), output))
    }

    private func printModeTable(float: Evaluation, results: [(CalibrationMode, Graph, Evaluation?)]) {
        func pct(_ v: Double?) -> String { v.map { String(format: "%7.2f%%", $0) } ?? "      -" }
        print("model            top-1     top-5     agreement  (\(float.images) images)")
        print("float          \(pct(float.top1Percent))  \(pct(float.top5Percent))          -")
        for (mode, _, e) in results {
            let name = ("int8 " + mode.rawValue).padding(toLength: 14, withPad: " ", startingAt: 0)
            print("\(name) \(pct(e?.top1Percent))  \(pct(e?.top5Percent))  \(pct(e?.agreementPercent))")
        }
    }
}

/// Megabytes of a graph's weights as stored.
func megabytes(_ graph: Graph) -> String {
    let bytes = graph.initializers.values.reduce(0) { $0 + $1.count * $1.dtype.byteSize }
    return String(format: "%.2f MB", Double(bytes) / 1_000_000)
}
