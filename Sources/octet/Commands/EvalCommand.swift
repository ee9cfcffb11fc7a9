import Foundation
import Octet
import OctetCPU
import OctetIR

/// `octet eval MODEL --data DATA`: top-1/top-5 against the data's labels, agreement with a reference model.
struct EvalCommand: Command {
    static let name = "eval"
    static let summary = "accuracy of a classifier on labelled images (top-1, top-5, agreement with a reference)"
    static let help = """
        usage: octet eval MODEL --data DATA [--reference FLOAT_MODEL] [--limit N] [--batch N] [--target cpu|cuda]
                          [--reference-target cpu|cuda] [--simulate] [--threads N] [--skip-bad] [--json] [PREPROCESS]

          --data DATA        labelled images: .rec (+.idx), a folder of class folders or with a labels .tsv
          --reference M      also report how often the top-1 class equals M's (e.g. the float model), and
                             on how many images the logits are identical, bit for bit
          --reference-target T  run the reference on T (default: --target); with --reference MODEL, the same
                             model, this checks one target against another (cuda against cpu)
          --limit N          evaluate the first N images only
          --skip-bad         skip records that fail to decode (counted in the summary) instead of stopping
          --json             print one object: top1, top5, agreement, identical, max_difference, images, images_per_s
        \(ExecutionOptions.help)
        \(ModelArgument.help)
        \(PreprocessOptions.help)
        """

    var model: ModelArgument
    var data: String
    var reference: String?
    var limit: Int?
    var batch: Int
    var target: Target
    var referenceTarget: Target
    var threads: Int
    var skipBad: Bool
    var json: Bool
    var preprocess: PreprocessOptions
    var execution: ExecutionOptions

    init(parsing arguments: inout Arguments) throws(UsageError) {
        model = try ModelArgument(parsing: &arguments)
        execution = ExecutionOptions(parsing: &arguments)
        guard let d = try arguments.option("data") else { throw UsageError("give --data DATA") }
        data = d
        reference = try arguments.option("reference")
        limit = try arguments.option("limit").map { text throws(UsageError) in
            guard let v = Int(text), v > 0 else { throw UsageError("--limit expects a positive integer, got '\(text)'") }
            return v
        }
        batch = try arguments.int("batch", default: 8, range: 1...4096)
        target = try arguments.choice("target", default: .cpu)
        referenceTarget = try arguments.choice("reference-target", default: target)
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        skipBad = arguments.flag("skip-bad")
        json = arguments.flag("json")
        preprocess = try PreprocessOptions(parsing: &arguments)
        try model.readPositional(&arguments)
    }

    func run() throws {
        let options = execution.sessionOptions(target: target, threads: threads)
        let session = try Session(model.source, options: options, reporter: .cli)
        let referenceSession = try reference.map { path in
            try Session(.onnx(path: path), options: SessionOptions(target: referenceTarget, threads: threads), reporter: .cli)
        }
        let source = try DataSource(data, preprocessing: preprocess.preprocessing, batch: batch, limit: limit,
                                    skipBad: skipBad, threads: threads)
        try source.checkFits(session.graph, file: data)
        let result = try ClassifierEvaluation.run([session], reference: referenceSession, on: source, reporter: .cli)
        let evaluation = result.models[0]
        let modelSeconds = result.totals.modelSeconds.last ?? 0
        for message in source.skippedMessages { printError("octet: warning: skipped \(message)") }
        let seconds = result.totals.seconds
        let rate = Double(evaluation.images) / max(seconds, 1e-9)
        if json {
            var fields: [String] = []
            if let t = evaluation.top1Percent { fields.append(String(format: "\"top1\":%.2f", t)) }
            if let t = evaluation.top5Percent { fields.append(String(format: "\"top5\":%.2f", t)) }
            if let a = evaluation.agreementPercent {
                fields.append(String(format: "\"agreement\":%.2f", a))
                fields.append("\"identical\":\(evaluation.identical)")
                fields.append("\"max_difference\":\(evaluation.maxDifference)")
            }
            fields.append("\"images\":\(evaluation.images)")
            fields.append(String(format: "\"images_per_s\":%.2f", rate))
            fields.append("\"skipped\":\(source.skipped)")
            print("{" + fields.joined(separator: ",") + "}")
            return
        }
        var line = ""
        if let t1 = evaluation.top1Percent, let t5 = evaluation.top5Percent {
            line = String(format: "top-1: %.2f%%  top-5: %.2f%%", t1, t5)
        } else {
            line = "no labels in the data"
        }
        if let a = evaluation.agreementPercent {
            line += String(format: "  agreement: %.2f%%", a)
            line += "  identical logits: \(evaluation.identical)/\(evaluation.compared) (max |difference| \(evaluation.maxDifference))"
        }
        print(line)
        var summary = String(format: "%d images, %.1f images/s (model %.1f)", evaluation.images, rate,
                             Double(evaluation.images) / max(modelSeconds, 1e-9))
        if source.skipped > 0 { summary += ", \(source.skipped) bad records skipped" }
        print(summary)
    }
}
