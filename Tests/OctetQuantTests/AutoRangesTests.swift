import OctetCPU
import OctetIR
import OctetQuant
import Synchronization
import Testing

/// The CPU backend, counting how many times its compiled models run.
final class CountingBackend: Backend {
    let inner = CPUBackend(threads: 1)
    let runs = Atomic<Int>(0)
    var name: String { inner.name }
    func supports(_ node: Node, in graph: Graph) -> Support { inner.supports(node, in: graph) }
    func compile(_ graph: Graph) throws -> any CompiledModel { Counted(inner: try inner.compile(graph), backend: self) }

    struct Counted: CompiledModel {
        let inner: any CompiledModel
        let backend: CountingBackend
        func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
            backend.runs.add(1, ordering: .relaxed)
            return try inner.run(inputs)
        }
    }
}

/// `--mode auto` judges a threshold by the error of the nodes reading the tensor, not of the tensor alone.
@Suite struct AutoRangesTests {
    /// x (2 channels) -> Conv 1x1 with `weights` -> y. Channel 0 holds values in [-1, 1]; channel 1 mostly
    /// the same, but a few reach ±8.
    static func network(weights: [Float]) throws -> Graph {
        try Graph(
            name: "auto",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(2), .fixed(4), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
            nodes: [Node(name: "conv", op: .conv(ConvAttributes()), inputs: ["x", "w"], outputs: ["y"])],
            initializers: ["w": Tensor(shape: [1, 2, 1, 1], floats: weights)]).inferringShapes()
    }

    static let input: Tensor = {
        var values: [Float] = []
        for c in 0..<2 {
            for i in 0..<32 {
                let smooth = Float((i * 37) % 64) / 32 - 1
                values.append(c == 1 && i % 8 == 3 ? (i % 16 == 3 ? 8 : -7.5) : smooth * 0.97)
            }
        }
        return Tensor(shape: [1, 2, 4, 8], floats: values)
    }()

    /// Symmetric int8 from a threshold, as a calibrator's range.
    static func range(threshold: Double, mode: CalibrationMode) -> TensorRange {
        TensorRange(min: -8, max: 8, threshold: threshold, scale: Float(threshold / 127), zeroPoint: 0, dtype: "int8",
                    mode: mode)
    }

    func choose(weights: [Float]) throws -> (String, TensorRange?) {
        let graph = try Self.network(weights: weights)
        var config = QuantizationConfig()
        config.skipConv = []
        let plan = try QuantizationPlan(graph: graph, config: config)
        #expect(plan.activations.contains("x"))
        let clipping = AutoRanges.Candidate(label: "clip at 1", ranges: ["x": Self.range(threshold: 1, mode: .percentile)])
        let wide = AutoRanges.Candidate(label: "all of 8", ranges: ["x": Self.range(threshold: 8, mode: .max)])
        var auto = try AutoRanges(graph: graph, plan: plan, backend: CPUBackend(threads: 1), candidates: [clipping, wide])
        #expect(auto.watchedTensors == ["x"])
        try auto.observe(["x": Self.input])
        let (ranges, wins) = auto.chosen()
        return (wins.keys.sorted().joined(), ranges["x"])
    }

    @Test("The conv that ignores the outliers' channel gets the finer, clipping threshold")
    func clipsWhereTheConsumerDoesNotLook() throws {
        let (winner, range) = try choose(weights: [1, 0])
        #expect(winner == "clip at 1")
        #expect(range?.threshold == 1)
        #expect(range?.mode == .percentile)
    }

    @Test("The conv that reads the outliers' channel gets the threshold that keeps them")
    func keepsWhatTheConsumerReads() throws {
        let (winner, range) = try choose(weights: [0, 1])
        #expect(winner == "all of 8")
        #expect(range?.threshold == 8)
    }

    @Test("Candidates with equal ranges run the consumers once and score the same")
    func equalCandidatesRunOnce() throws {
        let graph = try Self.network(weights: [0, 1])
        var config = QuantizationConfig()
        config.skipConv = []
        let plan = try QuantizationPlan(graph: graph, config: config)
        let clipping = AutoRanges.Candidate(label: "clip at 1", ranges: ["x": Self.range(threshold: 1, mode: .percentile)])
        let wide = AutoRanges.Candidate(label: "all of 8", ranges: ["x": Self.range(threshold: 8, mode: .max)])
        let alsoWide = AutoRanges.Candidate(label: "also 8", ranges: ["x": Self.range(threshold: 8, mode: .max)])
        let backend = CountingBackend()
        var auto = try AutoRanges(graph: graph, plan: plan, backend: backend, candidates: [clipping, wide, alsoWide])
        try auto.observe(["x": Self.input])
        // The float reference, then the two distinct ranges: the third candidate reuses the second's outputs.
        #expect(backend.runs.load(ordering: .relaxed) == 3)
        let (ranges, wins) = auto.chosen()
        #expect(wins == ["all of 8": 1] && ranges["x"]?.threshold == 8)
    }

    @Test("Alone, auto has no threshold: ranges() says so instead of picking one")
    func autoAloneIsRefused() throws {
        let graph = try Self.network(weights: [1, 1])
        var config = QuantizationConfig()
        config.skipConv = []
        #expect(config.mode == .auto)
        let plan = try QuantizationPlan(graph: graph, config: config)
        let run = CalibrationRun(graph: graph, tensors: plan.activations, histogramBins: config.calibration.histogramBins,
                                 backend: CPUBackend(threads: 1))
        var batches = [["x": Self.input]]
        let observers = try run.observe(open: {
            var pending = batches
            return { pending.isEmpty ? nil : pending.removeFirst() }
        })
        batches.removeAll()
        #expect(throws: QuantError.self) { try config.ranges(observers, plan: plan) }
        #expect(try config.ranges(observers, mode: .mse, plan: plan)["x"] != nil)
    }
}
