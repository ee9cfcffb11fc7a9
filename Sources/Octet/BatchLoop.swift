import Foundation
import OctetIR

/// Streams a data source through one or more sessions, batch by batch: the loop behind `quantize --eval`,
/// `eval` and `compare`, with progress reported as images done.
public struct BatchLoop {
    public var stage: String
    public var reporter: Reporter

    /// What one pass over the data cost.
    public struct Totals: Sendable {
        public var images = 0
        public var seconds = 0.0
        /// Time inside each session's `run`, in the order the sessions were given.
        public var modelSeconds: [Double]
    }

    public init(stage: String, reporter: Reporter = .silent) {
        self.stage = stage
        self.reporter = reporter
    }

    /// Feeds every batch to every session (on the first session's first input) and hands `body` the batch
    /// with each session's outputs, in order.
    @discardableResult
    public func run(_ source: DataSource, sessions: [Session],
                    body: (LabelledBatch, [[String: Tensor]]) throws -> Void) throws -> Totals {
        guard let input = sessions.first?.inputs.first?.name else {
            throw InputError(source.path, "there is no model input to feed the data to")
        }
        var totals = Totals(modelSeconds: sessions.map { _ in 0 })
        let start = Date()
        reporter.progress(stage, done: 0, total: source.count)
        while let batch = try source.next() {
            var outputs: [[String: Tensor]] = []
            for (i, session) in sessions.enumerated() {
                let t0 = Date()
                outputs.append(try session.run([input: batch.images]))
                totals.modelSeconds[i] += Date().timeIntervalSince(t0)
            }
            try body(batch, outputs)
            totals.images += batch.labels.count
            reporter.progress(stage, done: totals.images, total: source.count)
        }
        reporter.progress(stage, done: totals.images, total: source.count, finished: true)
        totals.seconds = Date().timeIntervalSince(start)
        return totals
    }
}

/// Top-1/top-5 of classifiers on labelled data, and their top-1 agreement with a reference model.
public enum ClassifierEvaluation {
    /// Evaluates each of `models` on `source` (their first output holds the logits); with a `reference`, also
    /// how often each model's top-1 equals the reference's. Returns the models' evaluations, the
    /// reference's own (top-1/top-5 against the labels), and the loop's totals (reference timed first).
    public static func run(_ models: [Session], reference: Session?, on source: DataSource,
                           reporter: Reporter = .silent)
        throws -> (models: [Evaluation], reference: Evaluation?, totals: BatchLoop.Totals) {
        guard let outputName = (models.first ?? reference)?.outputs.first?.name else {
            throw InputError(nil, "the model declares no graph outputs: there is nothing to read its answer from")
        }
        let sessions = (reference.map { [$0] } ?? []) + models
        var evaluations = models.map { _ in Evaluation() }
        var referenceEvaluation = reference.map { _ in Evaluation() }
        let totals = try BatchLoop(stage: "evaluating", reporter: reporter).run(source, sessions: sessions) { batch, outputs in
            var refLogits: Tensor?
            if let reference {
                guard let r = outputs[0][outputName] else {
                    throw InputError(reference.path, "the reference model has no output \"\(outputName)\" (the model's "
                        + "first output); give a reference with the same output names")
                }
                refLogits = r
                referenceEvaluation?.add(logits: r, labels: batch.labels)
            }
            for (i, model) in models.enumerated() {
                guard let logits = outputs[sessions.count - models.count + i][outputName] else {
                    throw InputError(model.path, "the model produced no \"\(outputName)\"")
                }
                evaluations[i].add(logits: logits, labels: batch.labels, reference: refLogits)
            }
        }
        return (evaluations, referenceEvaluation, totals)
    }
}
