import Dispatch
import Foundation
import OctetCPU
import OctetIR
import OctetQuant

/// What a quantized model may lose against its float model, measured on labelled data.
public enum AccuracyBudget: Sendable, Equatable, CustomStringConvertible {
    /// Top-1 against the labels at most this many points below the float model's.
    case maxDrop(Double)
    /// Top-1 equal to the float model's on at least this percent of the images.
    case minAgreement(Double)

    public var description: String {
        switch self {
        case .maxDrop(let d): String(format: "top-1 at most %.2f points below float", d)
        case .minAgreement(let a): String(format: "top-1 agreement with float at least %.2f%%", a)
        }
    }

    /// Whether `model` meets the budget against `float` (false when the budget needs labels and there are none).
    public func isMet(_ model: Evaluation, float: Evaluation) -> Bool {
        switch self {
        case .maxDrop(let d):
            guard let q = model.top1Percent, let f = float.top1Percent else { return false }
            return f - q <= d + 1e-9
        case .minAgreement(let a):
            return (model.agreementPercent ?? 0) >= a - 1e-9
        }
    }
}

/// NNCF's accuracy control, for the CLI: when a quantized model misses its budget, rank its quantized nodes
/// by how much the output improves when each alone goes back to float, then put them back to float in that
/// order, checking the whole evaluation set after each, until the budget holds.
///
/// The ranking uses the mean squared difference of the logits from the float model's on the first images
/// (a smooth measure: top-1 on a few hundred images moves in whole images); the decisions use the budget's
/// own metric on every image. Calibration is not repeated: every variant reuses the calibrated ranges.
public struct AccuracyControl {
    public var budget: AccuracyBudget
    /// Images the ranking runs on (the first of the evaluation set).
    public var rankingImages = 300
    /// At most this many nodes go back to float (default: half the quantized ones) before giving up.
    public var maxReverted: Int?
    public var threads: Int
    public var reporter: Reporter

    public init(budget: AccuracyBudget, threads: Int, reporter: Reporter = .silent) {
        self.budget = budget
        self.threads = threads
        self.reporter = reporter
    }

    public struct Outcome {
        public var graph: Graph
        /// Node names put back to float, in the order they were.
        public var reverted: [String]
        public var float: Evaluation
        public var initial: Evaluation
        public var final: Evaluation
        /// Median milliseconds of one batch-1 run on the CPU's integer path, before and after.
        public var latency: (initial: Double, final: Double)
    }

    /// `candidates` are the quantized nodes that may go back to float; `quantize(float)` gives the QDQ graph
    /// with the named nodes kept float. `data` is read into memory once.
    public func run(float floatGraph: Graph, path: String, data: DataSource, candidates: [String],
                    quantize: ([String]) throws -> Graph) throws -> Outcome {
        let batches = try load(data)
        guard batches.contains(where: { $0.labels.contains { $0 != nil } }) || !isTopOneBudget else {
            throw InputError(data.path, "--max-drop compares top-1 against labels, and these images have none; "
                + "give labelled --eval data, or use --min-agreement")
        }
        let floatSession = try Session(graph: floatGraph, path: path, options: SessionOptions(threads: threads))
        reporter.progress("float reference", done: 0, total: batches.count)
        var floatLogits: [Tensor] = []
        var floatEvaluation = Evaluation()
        for (i, b) in batches.enumerated() {
            let logits = try firstOutput(floatSession, b.images)
            floatEvaluation.add(logits: logits, labels: b.labels)
            floatLogits.append(logits)
            reporter.progress("float reference", done: i + 1, total: batches.count, finished: i + 1 == batches.count)
        }
        func evaluate(_ graph: Graph, limit: Int? = nil) throws -> (Evaluation, error: Double) {
            let session = try Session(graph: graph, path: path, options: SessionOptions(threads: threads))
            var e = Evaluation()
            var squared = 0.0, count = 0
            for (i, b) in batches.enumerated() {
                if let limit, e.images >= limit { break }
                let logits = try firstOutput(session, b.images)
                e.add(logits: logits, labels: b.labels, reference: floatLogits[i])
                for (a, r) in zip(logits.floatValues(), floatLogits[i].floatValues()) {
                    squared += Double(a - r) * Double(a - r)
                }
                count += b.labels.count
            }
            return (e, squared / Double(max(count, 1)))
        }

        let initialGraph = try quantize([])
        let (initial, _) = try evaluate(initialGraph)
        reporter.info("budget: \(budget); float top-1 \(percent(floatEvaluation.top1Percent)), int8 top-1 "
            + "\(percent(initial.top1Percent)), agreement \(percent(initial.agreementPercent)) on \(initial.images) images")
        if budget.isMet(initial, float: floatEvaluation) {
            let ms = try latency(initialGraph, path: path)
            return Outcome(graph: initialGraph, reverted: [], float: floatEvaluation, initial: initial, final: initial,
                           latency: (ms, ms))
        }

        // Rank: each quantized node alone back to float, on the first images.
        let (_, baseError) = try evaluate(initialGraph, limit: rankingImages)
        var gains: [(node: String, gain: Double)] = []
        for (i, node) in candidates.enumerated() {
            reporter.progress("ranking nodes", done: i, total: candidates.count)
            guard let graph = try? quantize([node]) else { continue }
            let (_, error) = try evaluate(graph, limit: rankingImages)
            gains.append((node, baseError - error))
        }
        reporter.progress("ranking nodes", done: candidates.count, total: candidates.count, finished: true)
        gains.sort { $0.gain != $1.gain ? $0.gain > $1.gain : $0.node < $1.node }

        // Revert greedily, checking the whole set after each.
        let limit = maxReverted ?? max(1, candidates.count / 2)
        var reverted: [String] = []
        var last = initial
        for (node, gain) in gains.prefix(limit) {
            reverted.append(node)
            let graph = try quantize(reverted)
            let (e, _) = try evaluate(graph)
            last = e
            reporter.info("  \(node) back to float (ranking gain \(String(format: "%.4g", gain))): top-1 "
                + "\(percent(e.top1Percent)), agreement \(percent(e.agreementPercent))")
            if budget.isMet(e, float: floatEvaluation) {
                return Outcome(graph: graph, reverted: reverted, float: floatEvaluation, initial: initial, final: e,
                               latency: (try latency(initialGraph, path: path), try latency(graph, path: path)))
            }
        }
        throw InputError(path, "no reversion reaches the budget (\(budget)): with \(reverted.count) of \(candidates.count) "
            + "quantized nodes back to float, top-1 is \(percent(last.top1Percent)) against float's "
            + "\(percent(floatEvaluation.top1Percent)) and agreement \(percent(last.agreementPercent)); try another "
            + "--mode, a larger budget, or more evaluation images")
    }

    private var isTopOneBudget: Bool { if case .maxDrop = budget { true } else { false } }

    private func load(_ data: DataSource) throws -> [LabelledBatch] {
        var batches: [LabelledBatch] = []
        while let b = try data.next() {
            batches.append(b)
            reporter.progress("reading evaluation images", done: batches.reduce(0) { $0 + $1.labels.count },
                              total: data.count ?? 0)
        }
        reporter.progress("reading evaluation images", done: batches.reduce(0) { $0 + $1.labels.count },
                          total: data.count ?? 0, finished: true)
        guard !batches.isEmpty else { throw InputError(data.path, "no images to evaluate on") }
        return batches
    }

    private func firstOutput(_ session: Session, _ images: Tensor) throws -> Tensor {
        guard let name = session.outputs.first?.name, let t = try session.run([session.inputs[0].name: images])[name] else {
            throw InputError(session.path, "the model has no output to read its answer from")
        }
        return t
    }

    /// Median of 15 batch-1 runs on the CPU, after 3 untimed.
    private func latency(_ graph: Graph, path: String) throws -> Double {
        let session = try Session(graph: graph, path: path, options: SessionOptions(threads: threads))
        guard let info = session.inputs.first, let dims = info.shape else { return 0 }
        let shape = dims.enumerated().map { $0.element.value ?? ($0.offset == 0 ? 1 : 224) }
        let input = Tensor(shape: shape, floats: [Float](repeating: 0.5, count: shape.reduce(1, *)))
        var samples: [Double] = []
        for i in 0..<18 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try session.run([info.name: input])
            if i >= 3 { samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        return samples.sorted()[samples.count / 2]
    }

    private func percent(_ v: Double?) -> String { v.map { String(format: "%.2f%%", $0) } ?? "-" }
}
