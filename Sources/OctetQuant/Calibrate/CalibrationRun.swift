import Dispatch
import OctetCPU
import OctetIR

/// Runs the float graph on the CPU over calibration batches and feeds every planned tensor to its observer.
///
/// Memory is bounded by the observers (a histogram per tensor), not by the data: each batch's
/// activations are dropped once observed.
public struct CalibrationRun {
    public var graph: Graph
    public var tensors: [String]
    public var histogramBins: Int?
    public var threads: Int

    public init(graph: Graph, tensors: [String], histogramBins: Int?, threads: Int) {
        self.graph = graph
        self.tensors = tensors
        self.histogramBins = histogramBins
        self.threads = threads
    }

    /// `next` returns the model's inputs for one batch, nil at the end; `progress` gets the batches done.
    public func observe(next: () throws -> [String: Tensor]?, progress: (Int) -> Void = { _ in }) throws
        -> [String: Observer] {
        var watched = graph
        let declared = Set(graph.outputs.map(\.name))
        for t in tensors where !declared.contains(t) {
            watched.outputs.append(ValueInfo(name: t, dtype: nil, shape: nil))
        }
        let model = try CPUBackend(threads: threads).compile(watched)
        var observers = tensors.map { _ in Observer(histogramBins: histogramBins) }
        var batches = 0
        while let feeds = try next() {
            let outputs = try model.run(feeds)
            let values = try tensors.map { t in
                guard let v = outputs[t] else { throw QuantError("the CPU backend did not produce \"\(t)\"") }
                return v.floatValues()
            }
            observers.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let slots = buffer
                DispatchQueue.concurrentPerform(iterations: slots.count) { i in
                    values[i].withUnsafeBufferPointer { slots[i].observe($0) }
                }
            }
            batches += 1
            progress(batches)
        }
        guard batches > 0 else { throw QuantError("the calibration data is empty") }
        return Dictionary(uniqueKeysWithValues: zip(tensors, observers))
    }
}
