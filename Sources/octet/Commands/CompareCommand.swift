import Foundation
import Octet
import OctetCPU
import OctetIR
import OctetQuant

/// `octet compare FLOAT QUANT --data D`: per quantized tensor, the SQNR between the float activations and
/// the quantized model's (on the integer kernels, or simulated with --simulate), worst first, named by the
/// float model's nodes; then each layer's share of the final error: the output's SQNR when only that
/// layer is quantized.
struct CompareCommand: Command {
    static let name = "compare"
    static let summary = "per-layer quantization error (SQNR, worst first) between a float model and its QDQ model"
    static let help = """
        usage: octet compare FLOAT_MODEL QUANT_MODEL --data DATA [--limit N] [--share N] [--batch N] [--top N]
                             [--target cpu] [--simulate] [--threads N] [PREPROCESS]

          Prints each quantized tensor's SQNR against the float model's, worst first; then each layer's
          share of the final error: the SQNR of the model's first output when only that layer (a node
          reading quantized values, with its quantized weights) is quantized and the rest runs float.

          --data DATA   images to run both models on (.rec, a folder, .npy)
          --limit N     images to use (default 32)
          --share N     images for the layer shares, the first of --limit (default 16; 0 leaves them out:
                        they run the model once per layer)
          --top N       rows to print in each table (default all)
        \(ExecutionOptions.help)
        \(PreprocessOptions.help)
        """

    var floatPath: String
    var quantPath: String
    var data: String
    var limit: Int
    var share: Int
    var batch: Int
    var top: Int?
    var threads: Int
    var preprocess: PreprocessOptions
    var target: Target
    var execution: ExecutionOptions

    init(parsing arguments: inout Arguments) throws(UsageError) {
        target = try arguments.choice("target", default: .cpu)
        execution = ExecutionOptions(parsing: &arguments)
        guard let d = try arguments.option("data") else { throw UsageError("give --data DATA") }
        data = d
        limit = try arguments.int("limit", default: 32)
        share = try arguments.int("share", default: 16, range: 0...1_000_000)
        batch = try arguments.int("batch", default: 8, range: 1...4096)
        top = try arguments.option("top").map { text throws(UsageError) in
            guard let v = Int(text), v > 0 else { throw UsageError("--top expects a positive integer, got '\(text)'") }
            return v
        }
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        preprocess = try PreprocessOptions(parsing: &arguments)
        let rest = try arguments.positionals()
        guard rest.count == 2 else { throw UsageError("expected FLOAT_MODEL and QUANT_MODEL, got \(rest.count) paths") }
        floatPath = rest[0]
        quantPath = rest[1]
    }

    func run() throws {
        let float = try ModelLoader.load(floatPath, threads: threads)
        let quant = try ModelLoader.load(quantPath, threads: threads)
        let pairs = LayerError.pairs(float: float, quantized: quant)
        guard !pairs.isEmpty else {
            throw InputError(quantPath, "no quantized tensor of this model matches a tensor of \(floatPath) "
                + "(expected DequantizeLinear outputs named <tensor>_dequantized, as octet quantize writes)")
        }
        let f = float.exposing(pairs.map(\.float)), q = quant.exposing(pairs.map(\.quantized))
        let fm = try Session(graph: f, path: floatPath, options: SessionOptions(target: target, threads: threads))
        let qm = try Session(graph: q, path: quantPath, options: execution.sessionOptions(target: target, threads: threads),
                             reporter: .cli)
        let source = try DataSource(data, preprocessing: preprocess.preprocessing, batch: batch, limit: limit,
                                    skipBad: false, threads: threads)
        try source.checkFits(float, file: data)
        var errors = LayerError()
        let totals = try BatchLoop(stage: "comparing", reporter: .cli).run(source, sessions: [fm, qm]) { _, outputs in
            for (a, c) in pairs {
                if let x = outputs[0][a], let y = outputs[1][c] { errors.add(float: x, quantized: y, as: a) }
            }
        }
        let images = totals.images
        let rows = errors.report(float: float)
        print("SQNR (dB)  op                   node (tensor)   — \(images) images, worst first")
        for e in rows.prefix(top ?? rows.count) {
            let db = e.sqnr.isInfinite ? "     inf" : String(format: "%8.2f", e.sqnr)
            let op = e.op.padding(toLength: 20, withPad: " ", startingAt: 0)
            print("\(db)   \(op) \(e.node)" + (e.node == e.tensor ? "" : " (\(e.tensor))"))
        }
        if share > 0 { try printShares(float: float, quant: quant, floatSession: fm, quantSession: qm) }
    }

    /// The output's SQNR with only one layer quantized, for every layer, worst first, after the SQNR with
    /// all of them quantized.
    private func printShares(float: Graph, quant: Graph, floatSession: Session, quantSession: Session) throws {
        let layers = LayerIsolation.layers(quantized: quant, float: float)
        guard let output = float.outputs.first?.name, !layers.isEmpty else { return }
        let source = try DataSource(data, preprocessing: preprocess.preprocessing, batch: batch,
                                    limit: min(limit, share), skipBad: false, threads: threads)
        let input = float.inputs[0].name
        var feeds: [[String: Tensor]] = [], reference: [Tensor] = []
        while let b = try source.next() {
            feeds.append([input: b.images])
            guard let y = try floatSession.run(feeds.last!)[output] else {
                throw InputError(floatPath, "the model gave no output \"\(output)\"")
            }
            reference.append(y)
        }
        let images = feeds.reduce(0) { $0 + ($1[input]?.shape.first ?? 0) }
        func sqnr(_ session: Session) throws -> Double {
            var errors = LayerError()
            for (x, y) in zip(feeds, reference) {
                if let q = try session.run(x)[output] { errors.add(float: y, quantized: q, as: output) }
            }
            return errors.report(float: float).first?.sqnr ?? .nan
        }
        let all = try sqnr(quantSession)
        var rows: [(layer: String, op: String, sqnr: Double)] = []
        let ops = Dictionary(quant.nodes.map { ($0.name, $0.op.onnxName) }, uniquingKeysWith: { a, _ in a })
        for (i, layer) in layers.enumerated() {
            Reporter.cli.progress("layer shares", done: i, total: layers.count)
            let alone = LayerIsolation.keeping(layer, quantized: quant, float: float)
            let session = try Session(graph: alone, path: quantPath,
                                      options: execution.sessionOptions(target: target, threads: threads))
            rows.append((layer, ops[layer] ?? "?", try sqnr(session)))
        }
        Reporter.cli.progress("layer shares", done: layers.count, total: layers.count, finished: true)
        rows.sort { $0.sqnr != $1.sqnr ? $0.sqnr < $1.sqnr : $0.layer < $1.layer }
        func db(_ v: Double) -> String { v.isInfinite ? "     inf" : String(format: "%8.2f", v) }
        print("\noutput \"\(output)\" SQNR (dB), \(images) images: \(db(all)) with every layer quantized; "
            + "with only one layer quantized, worst first:")
        for r in rows.prefix(top ?? rows.count) {
            print("\(db(r.sqnr))   \(r.op.padding(toLength: 20, withPad: " ", startingAt: 0)) \(r.layer)")
        }
    }
}
