import Dispatch
import OctetIR

/// Runs the float graph on a backend (the CPU's, as the command line passes it) over calibration batches and feeds every planned tensor to its observer.
///
/// Memory is bounded by the observers (a histogram per tensor), not by the data: each batch's
/// activations are dropped once observed.
///
/// With histograms the data is read twice. The first pass measures each tensor's range; the second fills
/// histograms of exactly `histogramBins` bins over `[-max|x|, max|x|]`, TVM's histogram of the whole
/// calibration set. A single pass would have to grow the range as batches arrive, and a histogram whose
/// range ends up wider than the data is coarser where the values are: KL then sees too little rounding
/// error at small thresholds and clips far too much (MobileNetV2's kl top-1 fell 6 points that way).
public struct CalibrationRun {
    public var graph: Graph
    public var tensors: [String]
    public var histogramBins: Int?
    public var backend: any Backend

    /// Which pass a progress report is about.
    public enum Pass: Sendable {
        /// Ranges only.
        case ranges
        /// Histograms over the ranges the first pass found.
        case histograms
    }

    public init(graph: Graph, tensors: [String], histogramBins: Int?, backend: any Backend) {
        self.graph = graph
        self.tensors = tensors
        self.histogramBins = histogramBins
        self.backend = backend
    }

    /// `open` starts a pass over the data and returns its batch reader (the model's inputs for one batch,
    /// nil at the end); it is called twice when histograms are needed. `progress` gets the batches done.
    public func observe(open: () throws -> () throws -> [String: Tensor]?,
                        progress: (Pass, Int) -> Void = { _, _ in }) throws -> [String: Observer] {
        let model = try compileWatching()
        let ranges = try pass(model, tensors.map { _ in Observer(histogramBins: nil) }, try open()) {
            progress(.ranges, $0)
        }
        guard let bins = histogramBins else { return Dictionary(uniqueKeysWithValues: zip(tensors, ranges)) }
        let histograms = try pass(model, ranges.map { Observer(histogramBins: bins, after: $0) }, try open()) {
            progress(.histograms, $0)
        }
        return Dictionary(uniqueKeysWithValues: zip(tensors, histograms))
    }

    private func compileWatching() throws -> any CompiledModel {
        try backend.compile(graph.exposing(tensors))
    }

    private func pass(_ model: any CompiledModel, _ start: [Observer], _ next: () throws -> [String: Tensor]?,
                      progress: (Int) -> Void) throws -> [Observer] {
        var observers = start
        var batches = 0
        while let feeds = try next() {
            let outputs = try model.run(feeds)
            let watched = try tensors.map { t in
                guard let v = outputs[t] else { throw QuantError("the \(backend.name) backend did not produce \"\(t)\"") }
                return v
            }
            let values = watched.map { $0.floatValues() }
            observers.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let slots = buffer
                DispatchQueue.concurrentPerform(iterations: slots.count) { i in
                    values[i].withUnsafeBufferPointer { slots[i].observe($0, shape: watched[i].shape) }
                }
            }
            batches += 1
            progress(batches)
        }
        guard batches > 0 else { throw QuantError("the calibration data is empty") }
        return observers
    }
}
