import Foundation
import OctetCPU
import OctetData
import OctetIR
import OctetQuant

/// Calibration images and how to read them.
public struct CalibrationData: Sendable {
    /// A `.rec` (+ `.idx`), a folder of images, or `.npy` batches.
    public var path: String
    public var preprocessing: Preprocessing
    public var batch: Int
    /// Images to use at most.
    public var samples: Int
    /// Skip records that fail to decode (counted) instead of stopping.
    public var skipBad: Bool

    public init(path: String, preprocessing: Preprocessing = Preprocessing(), batch: Int = 8, samples: Int = 100,
                skipBad: Bool = false) {
        self.path = path
        self.preprocessing = preprocessing
        self.batch = batch
        self.samples = samples
        self.skipBad = skipBad
    }
}

/// Static quantization of a float graph: plan the tensors, find their ranges (by calibrating on images, or from
/// a scale file), and write one QDQ graph per calibration mode asked for (and, when several modes are compared
/// with bias correction on, each one without it too).
public struct QuantizeJob {
    public var config: QuantizationConfig
    /// The modes to produce a model for; `config.mode` is the one a single-mode run uses.
    public var modes: [CalibrationMode]
    public var calibration: CalibrationData?
    /// A scale file written by `--dump-scales`, used instead of calibrating.
    public var scaleFile: String?
    public var threads: Int
    public var reporter: Reporter

    public init(config: QuantizationConfig, modes: [CalibrationMode]? = nil, calibration: CalibrationData?,
                scaleFile: String? = nil, threads: Int, reporter: Reporter = .silent) {
        self.config = config
        self.modes = modes ?? [config.mode]
        self.calibration = calibration
        self.scaleFile = scaleFile
        self.threads = threads
        self.reporter = reporter
    }

    /// One quantized graph and the ranges it was made from.
    public struct Candidate {
        public var mode: CalibrationMode
        /// Whether conv biases were corrected for weight rounding (`--bias-correction`).
        public var biasCorrected: Bool
        public var graph: Graph
        public var ranges: [String: TensorRange]

        /// The mode, and "no bias correction" for a variant that the configuration would have corrected.
        public var label: String { biasCorrected ? mode.rawValue : mode.rawValue + ", no bias correction" }
    }

    public struct Result {
        /// The float graph the candidates were made from: the input, with its linear streams equalized.
        public var graph: Graph
        /// The factors each stream was divided by, by stream name (empty when none was equalized).
        public var equalization: [String: [Float]]
        public var plan: QuantizationPlan
        /// In the order of `modes` (then the variants without bias correction, in the same order).
        public var candidates: [Candidate]
    }

    /// Quantizes `graph` (canonical, as `ModelLoader` gives it); `path` names the model in messages.
    public func run(_ input: Graph, path: String) throws -> Result {
        let quantizer = Quantizer(config: config)
        var graph = input
        var equalization: [String: [Float]] = [:]
        var loaded: (tensors: [String: TensorRange], equalization: [String: [Float]])?
        if let scaleFile {
            // The file's ranges were calibrated after its equalization, so it is applied whatever the flag says.
            loaded = try readScales(scaleFile)
            equalization = loaded?.equalization ?? [:]
        } else if let calibration, config.equalize {
            equalization = try equalizationFactors(graph, data: calibration)
        }
        if !equalization.isEmpty {
            do { graph = try StreamEqualization.apply(equalization, to: graph) } catch {
                throw InputError(scaleFile ?? path, error)
            }
        }
        let plan: QuantizationPlan
        do { plan = try quantizer.plan(graph) } catch { throw InputError(path, error) }
        for (node, reason) in plan.keptFloat { reporter.info("keeping \(node) float (\(reason))") }

        var rangesByMode: [CalibrationMode: [String: TensorRange]] = [:]
        if let loaded, let scaleFile {
            let missing = plan.activations.filter { loaded.tensors[$0] == nil }
            guard missing.isEmpty else {
                throw InputError(scaleFile, "no scale for \(missing.count) tensor(s) of this model, e.g. \"\(missing[0])\"")
            }
            rangesByMode[config.mode] = loaded.tensors
        } else if let calibration {
            let observers = try calibrate(graph, plan: plan, data: calibration)
            for mode in modes where mode != .auto {
                do {
                    rangesByMode[mode] = try config.ranges(observers, mode: mode, plan: plan)
                } catch {
                    throw InputError(calibration.path, error)
                }
            }
            if modes.contains(.auto) {
                rangesByMode[.auto] = try chooseAuto(graph, plan: plan, observers: observers, data: calibration)
            }
        } else {
            throw InputError(path, "static quantization needs calibration data or a scale file")
        }
        var candidates: [Candidate] = []
        // Several modes side by side also show what bias correction does for each.
        var plain = config
        plain.biasCorrection = false
        let variants = modes.count > 1 && config.biasCorrection ? [quantizer, Quantizer(config: plain)] : [quantizer]
        for variant in variants {
            for mode in modes {
                guard let ranges = rangesByMode[mode] else { continue }
                do {
                    candidates.append(Candidate(mode: mode, biasCorrected: variant.config.biasCorrection,
                                                graph: try variant.quantize(graph, plan: plan, ranges: ranges),
                                                ranges: ranges))
                } catch {
                    throw InputError(path, error)
                }
            }
        }
        return Result(graph: graph, equalization: equalization, plan: plan, candidates: candidates)
    }

    /// The QDQ graph of `graph` with the nodes `float` kept float, from ranges already calibrated: what the
    /// accuracy budget tries without calibrating again.
    public func quantize(_ graph: Graph, path: String, ranges: [String: TensorRange], keepingFloat float: [String])
        throws -> Graph {
        var config = self.config
        config.exclude += float.filter { !config.exclude.contains($0) }
        let quantizer = Quantizer(config: config)
        do {
            return try quantizer.quantize(graph, plan: quantizer.plan(graph), ranges: ranges)
        } catch {
            throw InputError(path, error)
        }
    }

    private func readScales(_ file: String) throws
        -> (tensors: [String: TensorRange], equalization: [String: [Float]]) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw InputError(file, "cannot read the file")
        }
        do { return try ScaleFile.decodeWithEqualization(data) } catch { throw InputError(file, error) }
    }

    /// Each linear stream's factors, from its channels' largest magnitudes over the first `autoSamples`
    /// calibration images.
    private func equalizationFactors(_ graph: Graph, data: CalibrationData) throws -> [String: [Float]] {
        let streams = LinearStream.find(in: graph)
        guard !streams.isEmpty else { return [:] }
        var maxima = streams.map { _ in [Float]() }
        let seen = try sampleRuns(graph, exposing: streams.flatMap(\.tensors), backend: CPUBackend(threads: threads),
                                  data: data, stage: "equalizing streams") { values in
            for (i, stream) in streams.enumerated() {
                for t in stream.tensors {
                    guard let v = values[t] else { throw QuantError("the sample batch has no value for \"\(t)\"") }
                    try StreamEqualization.accumulate(v, into: &maxima[i])
                }
            }
        }
        reporter.info("equalized \(streams.count) linear stream(s) on \(seen) images")
        var factors: [String: [Float]] = [:]
        for (i, stream) in streams.enumerated() where maxima[i].count == stream.channels {
            factors[stream.name] = StreamEqualization.factors(ranges: maxima[i])
        }
        return factors
    }

    /// Runs `graph` with `tensors` exposed over the first `autoSamples` calibration images, handing `body` each
    /// batch's values; returns the images seen. `--mode auto` and the equalization both sample this way.
    private func sampleRuns(_ graph: Graph, exposing tensors: [String], backend: CPUBackend, data: CalibrationData,
                            stage: String, _ body: ([String: Tensor]) throws -> Void) throws -> Int {
        let limit = min(data.samples, Self.autoSamples)
        let source = try DataSource(data.path, preprocessing: data.preprocessing, batch: data.batch, limit: limit,
                                    skipBad: data.skipBad, threads: threads)
        try source.checkFits(graph, file: data.path)
        let total = min(source.count ?? limit, limit)
        let model = try backend.compile(graph.exposing(tensors))
        var seen = 0
        do {
            while seen < limit, let batch = try source.next() {
                try body(try model.run([graph.inputs[0].name: batch.images]))
                seen += batch.labels.count
                reporter.progress(stage, done: seen, total: total)
            }
        } catch let e as InputError { throw e } catch { throw InputError(data.path, error) }
        reporter.progress(stage, done: seen, total: total, finished: true)
        return seen
    }

    /// Sample images `--mode auto` compares the candidate ranges on (at most; the first of the calibration set).
    public static let autoSamples = 32

    /// The thresholds `--mode auto` chooses among, in the order ties are broken: mse, then the percentiles
    /// 99.999 and 99.99. kl and max were candidates too; without them the agreement with float on 1900 views
    /// moved by -0.2 to +0.6 points on MobileNetV2 and EfficientNet-Lite0/1/2 (within the views' noise),
    /// and calibration took 36% less time (no KL search, fewer consumer runs).
    static let autoPercentiles = [99.999, 99.99]

    /// `--mode auto`: every candidate calibrator's range tried on the consumers of each tensor, over the first
    /// `autoSamples` calibration images, batch by batch.
    private func chooseAuto(_ graph: Graph, plan: QuantizationPlan, observers: [String: Observer],
                            data: CalibrationData) throws -> [String: TensorRange] {
        var candidates: [AutoRanges.Candidate] = []
        do {
            candidates.append(.init(label: "mse", ranges: try config.ranges(observers, mode: .mse, plan: plan)))
            for p in Self.autoPercentiles {
                var c = config
                c.calibration.percentile = p
                candidates.append(.init(label: "percentile \(p)", ranges: try c.ranges(observers, mode: .percentile, plan: plan)))
            }
        } catch { throw InputError(data.path, error) }
        let backend = CPUBackend(threads: threads)
        var auto: AutoRanges
        do {
            auto = try AutoRanges(graph: graph, plan: plan, backend: backend, candidates: candidates, threads: threads)
        } catch { throw InputError(data.path, error) }
        let seen = try sampleRuns(graph, exposing: auto.watchedTensors, backend: backend, data: data,
                                  stage: "choosing ranges (auto)") { try auto.observe($0) }
        let (ranges, wins) = auto.chosen()
        let counts = candidates.compactMap { c in wins[c.label].map { "\(c.label): \($0)" } }
        reporter.info("auto ranges on \(seen) images: " + counts.joined(separator: ", ") + " tensors")
        return ranges
    }

    private func calibrate(_ graph: Graph, plan: QuantizationPlan, data: CalibrationData) throws -> [String: Observer] {
        let needsHistogram = modes.contains { $0.needsHistogram }
        func open() throws -> DataSource {
            let source = try DataSource(data.path, preprocessing: data.preprocessing, batch: data.batch,
                                        limit: data.samples, skipBad: data.skipBad, threads: threads)
            try source.checkFits(graph, file: data.path)
            return source
        }
        var source = try open()
        let total = min(source.count ?? data.samples, data.samples)
        var stage = needsHistogram ? "calibrating (1/2 ranges)" : "calibrating"
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
                    reporter.progress(stage, done: seen, total: total, finished: true)
                    stage = "calibrating (2/2 histograms)"
                    source = try open()
                    seen = 0
                }
                return {
                    guard seen < data.samples, let b = try source.next() else { return nil }
                    seen += b.labels.count
                    return [inputName: b.images]
                }
            }, progress: { _, _ in reporter.progress(stage, done: seen, total: total) })
        } catch let e as InputError { throw e } catch { throw InputError(data.path, error) }
        reporter.progress(stage, done: seen, total: total, finished: true)
        let bad = observers.filter { $0.value.nonFinite > 0 }
        if !bad.isEmpty {
            reporter.warning("\(bad.count) tensor(s) had NaN/inf during calibration (left out of the ranges), "
                + "e.g. \"\(bad.keys.sorted()[0])\"")
        }
        for message in source.skippedMessages { reporter.warning("skipped \(message)") }
        reporter.info("calibrated \(plan.activations.count) tensors on \(seen) images"
            + (source.skipped > 0 ? " (\(source.skipped) bad records skipped)" : ""))
        return observers
    }
}

/// Dynamic quantization (no calibration): int8 weights for MatMul/Gemm (and Conv on request), activations
/// quantized per batch at run time.
public enum DynamicQuantizeJob {
    public struct Result {
        public var graph: Graph
        public var quantized: [String]
        public var keptFloat: [(node: String, reason: String)]
    }

    public static func run(_ graph: Graph, path: String, perChannel: Bool, includeConv: Bool,
                           reporter: Reporter = .silent) throws -> Result {
        let result: (graph: Graph, quantized: [String], keptFloat: [(node: String, reason: String)])
        do {
            result = try DynamicQuantizer(perChannel: perChannel, includeConv: includeConv).quantize(graph)
        } catch {
            throw InputError(path, error)
        }
        for (node, reason) in result.keptFloat { reporter.info("keeping \(node) float (\(reason))") }
        return Result(graph: result.graph, quantized: result.quantized, keptFloat: result.keptFloat)
    }
}
