import OctetCPU
import OctetCPUKernels
import OctetIR

/// `--mode auto`: for each activation, the candidate range (one per calibrator) whose rounding and clipping
/// change the outputs of the nodes that read it least.
///
/// A calibrator judges a threshold by the tensor's own error (KL divergence, squared error, a percentile),
/// but what the network feels is the error of the next layer's output: clipping a few large values that a
/// conv weights heavily can cost more than the finer rounding saves, and the reverse. So each candidate is
/// tried on sample batches: the tensor fake-quantized with it, its consumers run on the result, and their
/// outputs compared with the float ones (squared error relative to the output's energy, summed over the
/// consumers and batches). The candidate with the least wins; ties keep the earlier calibrator.
public struct AutoRanges {
    /// One calibrator's ranges for every planned activation, and what to call it in reports.
    public struct Candidate: Sendable {
        public var label: String
        public var ranges: [String: TensorRange]

        public init(label: String, ranges: [String: TensorRange]) {
            self.label = label
            self.ranges = ranges
        }
    }

    public let graph: Graph
    public let plan: QuantizationPlan
    public let backend: any Backend
    /// In the order ties are broken.
    public let candidates: [Candidate]
    /// Threads for the fake quantization (the backend runs the consumers on its own).
    public let threads: Int

    /// One tensor's consumers as a graph of their own: the tensor and the consumers' other activations are
    /// its inputs, their outputs its outputs.
    private struct Consumers {
        let tensor: String
        let otherInputs: [String]
        let outputs: [String]
        let model: any CompiledModel
        /// Per candidate, the first candidate with the same parameters for the tensor (itself when none
        /// before it has them), or nil where the candidate has no range: equal ranges are run once.
        let same: [Int?]
    }

    private var errors: [String: [Double]] = [:]
    private let consumers: [Consumers]

    public init(graph: Graph, plan: QuantizationPlan, backend: any Backend, candidates: [Candidate],
                threads: Int = CPUBackend.defaultThreads) throws {
        self.graph = graph
        self.threads = threads
        self.plan = plan
        self.backend = backend
        self.candidates = candidates
        let consumersOf = graph.consumers
        let quantized = Set(plan.quantizedNodes)
        var built: [Consumers] = []
        for tensor in plan.activations {
            let readers = (consumersOf[tensor] ?? []).filter { quantized.contains(graph.nodes[$0].name) }
            guard !readers.isEmpty, Self.candidatesDiffer(tensor, candidates) else { continue }
            built.append(try Self.consumers(of: tensor, nodes: readers.map { graph.nodes[$0] }, graph: graph,
                                            backend: backend, candidates: candidates))
        }
        consumers = built
    }

    /// The values every consumer graph needs from the float model: the tensors and their consumers' other
    /// activations (watch these while running the float graph on a sample batch).
    public var watchedTensors: [String] {
        var seen = Set<String>(), out: [String] = []
        for c in consumers { for t in [c.tensor] + c.otherInputs where seen.insert(t).inserted { out.append(t) } }
        return out
    }

    /// Adds one sample batch's errors; `values` holds `watchedTensors` from the float model on that batch.
    public mutating func observe(_ values: [String: Tensor]) throws {
        for c in consumers {
            guard let x = values[c.tensor] else { throw QuantError("the sample batch has no value for \"\(c.tensor)\"") }
            var feeds: [String: Tensor] = [c.tensor: x]
            for t in c.otherInputs {
                guard let v = values[t] else { throw QuantError("the sample batch has no value for \"\(t)\"") }
                feeds[t] = v
            }
            let reference = try c.model.run(feeds)
            var row = errors[c.tensor] ?? Array(repeating: 0, count: candidates.count)
            // Per candidate, each output's error on this batch, added to the row in output order.
            var batch = [[Double]](repeating: [], count: candidates.count)
            for (i, candidate) in candidates.enumerated() {
                guard let first = c.same[i], let range = candidate.ranges[c.tensor] else { continue }
                if first == i {
                    feeds[c.tensor] = try FakeQuantize.apply(range.params, to: x, threads: threads)
                    let outputs = try c.model.run(feeds)
                    for name in c.outputs {
                        guard let want = reference[name], let got = outputs[name] else { continue }
                        batch[i].append(Self.relativeError(got.floatValues(), want.floatValues()))
                    }
                } else {
                    batch[i] = batch[first]
                }
                for e in batch[i] { row[i] += e }
            }
            errors[c.tensor] = row
        }
    }

    /// Each planned tensor's range: the candidate with the least consumer error, or the first candidate's
    /// where there was nothing to compare; and how many tensors each candidate won, by label.
    public func chosen() -> (ranges: [String: TensorRange], wins: [String: Int]) {
        var out: [String: TensorRange] = [:]
        var wins: [String: Int] = [:]
        for tensor in plan.activations {
            var best = 0
            if let row = errors[tensor] {
                for i in row.indices where candidates[i].ranges[tensor] != nil && row[i] < row[best] { best = i }
            }
            guard let range = candidates[best].ranges[tensor] else { continue }
            out[tensor] = range
            wins[candidates[best].label, default: 0] += 1
        }
        return (out, wins)
    }

    /// Σ(got − want)² / Σ want² (the error alone where the reference is all zeros), over the shorter of the two.
    static func relativeError(_ got: [Float], _ want: [Float]) -> Double {
        var error = 0.0, energy = 0.0
        octet_squared_error(got, want, Swift.min(got.count, want.count), &error, &energy, CalibrationISA.avx512)
        return energy > 0 ? error / energy : error
    }

    /// Whether the candidates give `tensor` different parameters (else there is nothing to choose).
    private static func candidatesDiffer(_ tensor: String, _ candidates: [Candidate]) -> Bool {
        let params = candidates.compactMap { $0.ranges[tensor]?.params }
        return params.contains { $0 != params[0] }
    }

    private static func consumers(of tensor: String, nodes: [Node], graph: Graph, backend: any Backend,
                                  candidates: [Candidate]) throws -> Consumers {
        var inputs: [String] = [], initializers: [String: Tensor] = [:]
        for node in nodes {
            for name in node.inputs where !name.isEmpty && name != tensor && !inputs.contains(name) {
                if let constant = graph.initializers[name] { initializers[name] = constant } else { inputs.append(name) }
            }
        }
        let outputs = nodes.flatMap(\.outputs).filter { !$0.isEmpty }
        let params = candidates.map { $0.ranges[tensor]?.params }
        let same = params.map { p in p.flatMap { p in params.firstIndex { $0 == p } } }
        func info(_ name: String) -> ValueInfo { graph.valueInfo[name] ?? ValueInfo(name: name, dtype: nil, shape: nil) }
        let sub = Graph(name: "consumers of \(tensor)", inputs: ([tensor] + inputs).map(info),
                        outputs: outputs.map { ValueInfo(name: $0, dtype: nil, shape: nil) }, nodes: nodes,
                        initializers: initializers)
        return Consumers(tensor: tensor, otherInputs: inputs, outputs: outputs, model: try backend.compile(sub),
                         same: same)
    }
}

/// QuantizeLinear then DequantizeLinear in float, as the QDQ graph computes them (the CPU backend's fused
/// pair, bit for bit the reference kernels).
enum FakeQuantize {
    static func apply(_ p: QuantParams, to x: Tensor, threads: Int) throws -> Tensor {
        let (low, high): (Float, Float) = p.dtype == .u8 ? (0, 255) : (-128, 127)
        guard let z = p.zeroPoints.first, p.zeroPoints.allSatisfy({ $0 == z }), p.scales.count == 1 || p.axis == 1,
              let out = FastFakeQuant(scales: p.scales, zeroPoint: Float(z), low: low, high: high).run(x, threads: threads)
        else {
            throw QuantError("cannot fake-quantize a tensor of shape \(x.shape) with \(p.scales.count) scales on axis "
                + "\(p.axis.map(String.init) ?? "none")")
        }
        return out
    }
}
