import Foundation
import Octet
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
               octet quantize MODEL -o OUT.onnx --calib DATA [--mode auto|kl|global|max|power2|percentile|mse|all]
                              [--per-channel|--per-tensor] [--weight-scale max|power2] [--activations auto|int8|uint8]
                              [--depthwise-activations channel|tensor] [--bias-correction on|off]
                              [--equalize on|off] [--compat ort|tensorrt] [--samples N] [--batch N]
                              [--skip-conv 0,..|none] [--skip-dense]
                              [--exclude NODE,..] [--exclude-type OP,..] [--dump-scales F.json]
                              [--load-scales F.json] [--global-scale 8.0] [--percentile 99.999]
                              [--eval DATA [--simulate] [--max-drop P | --min-agreement A]] [--limit N] [--skip-bad]
                      [--threads N] [PREPROCESS]

          MODEL              an ONNX file, or a .pth/.pt with --arch NAME
          --dynamic          no calibration: int8 weights for MatMul and Gemm, activations quantized per
                             batch at run time (DynamicQuantizeLinear + MatMulInteger), as quantize_dynamic
          --dynamic-conv     with --dynamic, Conv too (ConvInteger)
          --calib DATA       calibration images: .rec (+.idx), a folder of images, or .npy batches
                             (read twice by kl, percentile and mse: ranges, then histograms)
          --mode M           how activation ranges are chosen. auto (default): per tensor, the mse or
                             percentile (99.999 or 99.99) threshold that changes the outputs of the
                             layers reading it least, tried on the first 32 calibration images;
                             kl, mse, ...: one calibrator for every tensor; `all` calibrates once and
                             reports every mode side by side, each also without bias correction
                             (agreement with the float model on --eval data), writing the best one to OUT
          --activations A    auto (default): uint8 from 0 for tensors never negative by construction (Relu,
                             Clip from 0, Sigmoid), symmetric int8 for the rest; int8: symmetric int8 for
                             all; uint8: asymmetric uint8 for all
          --depthwise-activations G
                             channel (default): a scale per channel for tensors only depthwise
                             convolutions read (each channel is its own dot product, so the integer
                             kernels take it at no cost); tensor: one scale
          --bias-correction on|off
                             on (default): subtract from each conv's bias the shift of its output mean that
                             rounding its weights causes (the inputs' channel means on the calibration images)
          --equalize on|off  on (default): before calibrating, rescale the channels of each linear stream
                             (a residual stream with no activation, as in MobileNetV2) so one scale fits them
                             all, folding the factors into the convs that write and read it (exact in float)
          --compat R         the default form is for Octet's integer kernels. ort: the form onnxruntime's CPU
                             provider fuses (--activations uint8 --depthwise-activations tensor); tensorrt:
                             what TensorRT's explicit quantization accepts (--activations int8
                             --depthwise-activations tensor)
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
          --max-drop P       an accuracy budget: top-1 on --eval at most P points below the float model's. When the
                             int8 model misses it, its quantized nodes are ranked by how much each alone costs,
                             and put back to float in that order until the budget holds; the float ones and the
                             latency they cost are printed. Fails, writing nothing, when no reversion reaches it
          --min-agreement A  the same budget as top-1 agreement with the float model, at least A percent (needs
                             no labels)
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
    var budget: AccuracyBudget?
    var threads: Int
    var skipBad: Bool
    var dumpScales: String?
    var loadScales: String?
    var preprocess: PreprocessOptions
    var execution: ExecutionOptions
    var dynamic: Bool
    var dynamicConv: Bool
    var compat: String?

    init(parsing arguments: inout Arguments) throws(UsageError) {
        model = try ModelArgument(parsing: &arguments)
        guard let out = try arguments.option("output", short: "o") else { throw UsageError("give -o OUT.onnx") }
        output = out
        calib = try arguments.option("calib")
        evalData = try arguments.option("eval")
        var config = QuantizationConfig()
        let modeText = try arguments.option("mode") ?? "auto"
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
        // Read as optional: --compat tensorrt must know whether they were given.
        let activations: QuantizationConfig.Activations? = try Self.value(arguments.option("activations"), flag: "activations")
        let depthwise: Granularity? = try Self.value(arguments.option("depthwise-activations"), flag: "depthwise-activations")
        config.biasCorrection = try arguments.choice("bias-correction", default: Switch.on) == .on
        config.equalize = try arguments.choice("equalize", default: Switch.on) == .on
        compat = try arguments.option("compat")
        switch compat {
        case nil: break
        case "ort"?:
            guard activations == nil || activations == .uint8, depthwise == nil || depthwise == .tensor else {
                throw UsageError("--compat ort takes uint8 activations with one scale per tensor: "
                    + "leave out --activations and --depthwise-activations, or give uint8 and tensor")
            }
            config.restrictToOnnxruntime()
        case "tensorrt"?:
            guard activations == nil || activations == .int8, depthwise == nil || depthwise == .tensor else {
                throw UsageError("--compat tensorrt takes symmetric int8 activations with one scale per tensor: "
                    + "leave out --activations and --depthwise-activations, or give int8 and tensor")
            }
            config.restrictToTensorRT()
        case let other?: throw UsageError("--compat must be ort or tensorrt, got '\(other)'")
        }
        if let activations { config.activations = activations }
        if let depthwise { config.depthwisePerChannel = depthwise == .channel }
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
        let maxDrop = try arguments.option("max-drop").map { text throws(UsageError) -> Double in
            guard let v = Double(text), v >= 0, v <= 100 else { throw UsageError("--max-drop expects points 0..100, got '\(text)'") }
            return v
        }
        let minAgreement = try arguments.option("min-agreement").map { text throws(UsageError) -> Double in
            guard let v = Double(text), v > 0, v <= 100 else {
                throw UsageError("--min-agreement expects a percent 0..100, got '\(text)'")
            }
            return v
        }
        switch (maxDrop, minAgreement) {
        case (let d?, nil): budget = .maxDrop(d)
        case (nil, let a?): budget = .minAgreement(a)
        case (nil, nil): budget = nil
        default: throw UsageError("give one budget: --max-drop or --min-agreement")
        }
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
        if budget != nil {
            guard evalData != nil else {
                throw UsageError("an accuracy budget is measured on --eval DATA (labelled images for --max-drop)")
            }
            guard modes.count == 1 else { throw UsageError("an accuracy budget takes one --mode, not all") }
        }
    }

    /// An enum flag's value, or nil when the flag was not given.
    static func value<T: RawRepresentable & CaseIterable>(_ text: String?, flag: String) throws(UsageError) -> T?
    where T.RawValue == String {
        guard let text else { return nil }
        guard let v = T(rawValue: text) else {
            throw UsageError("--\(flag) must be one of \(T.allCases.map(\.rawValue).joined(separator: "|")), got '\(text)'")
        }
        return v
    }

    func run() throws {
        let started = Date()
        let graph = try model.load(threads: threads)
        if dynamic { return try quantizeDynamically(graph, started: started) }
        let job = QuantizeJob(config: config, modes: modes,
                              calibration: calib.map {
                                  CalibrationData(path: $0, preprocessing: preprocess.preprocessing, batch: batch,
                                                  samples: samples, skipBad: skipBad)
                              },
                              scaleFile: loadScales, threads: threads, reporter: .cli)
        let result = try job.run(graph, path: model.path)
        if let budget, let evalData { return try meetBudget(budget, graph: graph, job: job, result: result, data: evalData,
                                                            started: started) }
        var chosen = 0
        var evaluations: [Evaluation?] = result.candidates.map { _ in nil }
        if let evalPath = evalData ?? (modes.count > 1 ? calib : nil) {
            if evalData == nil { printError("octet: warning: no --eval data; comparing modes on the calibration images") }
            let evals = try evaluate(float: graph, quantized: result.candidates.map(\.graph), data: evalPath)
            evaluations = evals.quantized
            printModeTable(float: evals.float, results: zip(result.candidates, evaluations).map { ($0.label, $1) })
            if result.candidates.count > 1 {
                let agreements = evaluations.map { $0?.agreementPercent ?? 0 }
                chosen = agreements.indices.max { agreements[$0] < agreements[$1] } ?? 0
                print("writing the mode with the best agreement: \(result.candidates[chosen].label)")
            }
        }
        guard result.candidates.indices.contains(chosen) else { return }
        let best = result.candidates[chosen]
        if let dumpScales {
            try writeAtomically([UInt8](try ScaleFile.encode(best.ranges, equalization: result.equalization)),
                                to: dumpScales)
        }
        try ModelWriter.write(best.graph, to: output)
        if compat == nil && (!result.plan.perChannelActivations.isEmpty || config.activations == .auto) {
            printError("octet: note: \(output) is written for Octet's integer kernels (per-channel depthwise inputs, "
                + "uint8 after Relu): onnxruntime and TensorRT load it but run some layers in float; "
                + "--compat ort or --compat tensorrt writes their fast form")
        }
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "quantized %d nodes (%d kept float), %@ -> %@, mode %@, %.1f s -> %@",
                     result.plan.quantizedNodes.count, result.plan.keptFloat.count, megabytes(graph),
                     megabytes(best.graph), best.label, seconds, output))
    }

    /// `--max-drop` / `--min-agreement`: nodes back to float, most costly first, until the budget holds.
    private func meetBudget(_ budget: AccuracyBudget, graph: Graph, job: QuantizeJob, result: QuantizeJob.Result,
                            data: String, started: Date) throws {
        let candidate = result.candidates[0]
        let source = try DataSource(data, preprocessing: preprocess.preprocessing, batch: batch, limit: limit,
                                    skipBad: false, threads: threads)
        try source.checkFits(graph, file: data)
        let control = AccuracyControl(budget: budget, threads: threads, reporter: .cli)
        let outcome = try control.run(float: graph, path: model.path, data: source, candidates: result.plan.quantizedNodes) {
            try job.quantize(result.graph, path: model.path, ranges: candidate.ranges, keepingFloat: $0)
        }
        if let dumpScales {
            try writeAtomically([UInt8](try ScaleFile.encode(candidate.ranges, equalization: result.equalization)),
                                to: dumpScales)
        }
        try ModelWriter.write(outcome.graph, to: output)
        func pct(_ v: Double?) -> String { v.map { String(format: "%.2f%%", $0) } ?? "-" }
        let drop = { (e: Evaluation) -> String in
            guard let f = outcome.float.top1Percent, let q = e.top1Percent else { return "" }
            return String(format: " (%+.2f)", q - f)
        }
        print("budget: \(budget), on \(outcome.final.images) images")
        print("  float   top-1 \(pct(outcome.float.top1Percent))")
        print("  int8    top-1 \(pct(outcome.initial.top1Percent))\(drop(outcome.initial))  agreement \(pct(outcome.initial.agreementPercent))")
        if outcome.reverted.isEmpty {
            print("  met as calibrated: no node back to float")
        } else {
            print("  result  top-1 \(pct(outcome.final.top1Percent))\(drop(outcome.final))  agreement \(pct(outcome.final.agreementPercent))"
                + "  with \(outcome.reverted.count) node(s) float:")
            for name in outcome.reverted { print("    \(name)") }
            print(String(format: "  latency (cpu, batch 1, median): %.2f ms -> %.2f ms (%+.0f%%)", outcome.latency.initial,
                         outcome.latency.final, 100 * (outcome.latency.final / max(outcome.latency.initial, 1e-9) - 1)))
        }
        print(String(format: "quantized %d nodes (%d kept float), mode %@, %.1f s -> %@",
                     result.plan.quantizedNodes.count - outcome.reverted.count,
                     result.plan.keptFloat.count + outcome.reverted.count, config.mode.rawValue,
                     Date().timeIntervalSince(started), output))
    }

    private func evaluate(float: Graph, quantized: [Graph], data: String) throws
        -> (float: Evaluation, quantized: [Evaluation]) {
        let floatModel = try Session(graph: float, path: model.path, options: SessionOptions(threads: threads))
        let options = execution.sessionOptions(target: .cpu, threads: threads)
        let qModels = try quantized.map { try Session(graph: $0, path: output, options: options, reporter: .cli) }
        let source = try DataSource(data, preprocessing: preprocess.preprocessing, batch: batch, limit: limit,
                                    skipBad: false, threads: threads)
        try source.checkFits(float, file: data)
        let result = try ClassifierEvaluation.run(qModels, reference: floatModel, on: source, reporter: .cli)
        return (result.reference ?? Evaluation(), result.models)
    }

    private func quantizeDynamically(_ graph: Graph, started: Date) throws {
        let result = try DynamicQuantizeJob.run(graph, path: model.path, perChannel: config.perChannel,
                                                includeConv: dynamicConv, reporter: .cli)
        try ModelWriter.write(result.graph, to: output)
        print(String(format: "quantized %d nodes dynamically (%d kept float), %@ -> %@, %.1f s -> %@",
                     result.quantized.count, result.keptFloat.count, megabytes(graph), megabytes(result.graph),
                     Date().timeIntervalSince(started), output))
    }

    private func printModeTable(float: Evaluation, results: [(String, Evaluation?)]) {
        func pct(_ v: Double?) -> String { v.map { String(format: "%7.2f%%", $0) } ?? "      -" }
        // As wide as the longest name: names are never cut.
        let width = max(16, (results.map { 5 + $0.0.count }.max() ?? 0))
        func column(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        print(column("model") + "   top-1     top-5     agreement  (\(float.images) images)")
        print(column("float") + " \(pct(float.top1Percent))  \(pct(float.top5Percent))          -")
        for (label, e) in results {
            print(column("int8 " + label) + " \(pct(e?.top1Percent))  \(pct(e?.top5Percent))  \(pct(e?.agreementPercent))")
        }
    }
}

/// `--depthwise-activations`: a scale per channel or one per tensor.
enum Granularity: String, CaseIterable { case channel, tensor }

/// An on/off flag's value.
enum Switch: String, CaseIterable { case on, off }

/// Megabytes of a graph's weights as stored.
func megabytes(_ graph: Graph) -> String {
    let bytes = graph.initializers.values.reduce(0) { $0 + $1.count * $1.dtype.byteSize }
    return String(format: "%.2f MB", Double(bytes) / 1_000_000)
}
