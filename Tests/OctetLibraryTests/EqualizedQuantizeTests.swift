import Foundation
import Octet
import OctetCPU
import OctetData
import OctetIR
import OctetQuant
import OctetTestSupport
import Testing

/// `octet quantize` equalizes MobileNetV2's linear streams before calibrating: the float graph it quantizes
/// computes what the input does, and its int8 logits are closer to float than without.
@Suite struct EqualizedQuantizeTests {
    static let path = Paths.fixture("mobilenet_v2.onnx").path
    static let dev8 = Paths.fixture("rec/dev8.rec").path

    static func run(equalize: Bool) throws -> (input: Graph, result: QuantizeJob.Result) {
        let graph = try ModelLoader.load(.onnx(path: path), threads: 2)
        var config = QuantizationConfig()
        config.equalize = equalize
        let job = QuantizeJob(config: config, calibration: CalibrationData(path: dev8, batch: 4, samples: 8), threads: 2)
        return (graph, try job.run(graph, path: path))
    }

    static func logits(_ graph: Graph) throws -> [Float] {
        let model = try CPUBackend(threads: 2).compile(graph)
        let source = try DataSource(dev8, preprocessing: Preprocessing(), batch: 8, limit: 8, skipBad: false, threads: 2)
        let batch = try #require(try source.next())
        return try #require(model.run([graph.inputs[0].name: batch.images])[graph.outputs[0].name]).floatValues()
    }

    /// One test, as each quantization of MobileNetV2 takes a while in a debug build.
    @Test func streamsAreEqualizedExactlyAndRaiseTheLogitSQNR() throws {
        let (input, on) = try Self.run(equalize: true)
        // MobileNetV2's seven stages each end in a projection without activation: 16 ... 320 channels.
        #expect(on.equalization.values.map(\.count).sorted() == [16, 24, 32, 64, 96, 160, 320])
        #expect(on.graph != input)
        let reference = try Self.logits(input), equalized = try Self.logits(on.graph)
        let scale = reference.map { abs($0) }.max() ?? 1
        // Only float rounding separates them: each weight was multiplied and divided by the same factor.
        #expect(zip(reference, equalized).allSatisfy { abs($0 - $1) <= 1e-4 * scale },
                "\(zip(reference, equalized).map { abs($0 - $1) }.max() ?? 0)")

        let (_, off) = try Self.run(equalize: false)
        #expect(off.equalization.isEmpty && off.graph == input)
        // Logit SQNR against float on the calibration photos themselves (8 photos cannot show more).
        func sqnr(_ graph: Graph) throws -> Double {
            let x = try Self.logits(graph)
            let signal = reference.reduce(0.0) { $0 + Double($1 * $1) }
            let noise = zip(reference, x).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            return 10 * log10(signal / noise)
        }
        let (withEq, without) = (try sqnr(on.candidates[0].graph), try sqnr(off.candidates[0].graph))
        #expect(withEq > without, "equalized \(withEq) dB, plain \(without) dB")
    }
}
