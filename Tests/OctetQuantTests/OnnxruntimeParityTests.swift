import Foundation
import Octet
import OctetCPU
import OctetFormats
import OctetIR
import OctetPasses
import OctetQuant
import OctetTestSupport
import Testing

/// Octet's integer path against onnxruntime's QLinear kernels, op by op, on the committed fixtures of
/// `Scripts/make-int8-fixtures.py` (QDQ models, the QOperator models onnxruntime fuses them into, and
/// onnxruntime 1.31.1's outputs for seeded inputs).
@Suite struct OnnxruntimeParityTests {
    static let cases: [String] = {
        let dir = Paths.fixture("int8")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { Paths.exists(dir.appendingPathComponent($0 + "/model.onnx")) }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.cases.count == 22, "Fixtures/int8 holds \(Self.cases.count) cases; Scripts/make-int8-fixtures.py writes 22")
    }

    /// Identical integers in every output (the issue asks for 99.9% and none more than one apart; the
    /// shared rounding rules give all of them), and the op really ran as an integer kernel.
    /// Each case in QDQ form and in onnxruntime's QOperator form (its own fused graph, saved).
    @Test(arguments: cases, ["model.onnx", "model.qoperator.onnx"])
    func matchesOnnxruntime(_ name: String, form: String) throws {
        let dir = Paths.fixture("int8/" + name)
        let graph = try ModelLoader.load(.onnx(path: dir.appendingPathComponent(form).path), threads: 1)
        let realized = try Realize.run(graph)
        #expect(realized.report.entries.allSatisfy { $0.integer != nil }, "\(realized.report.text)")
        var feeds: [String: Tensor] = [:]
        for (k, input) in graph.inputs.enumerated() {
            feeds[input.name] = try NPY.read(path: dir.appendingPathComponent("input_\(k).npy").path)
        }
        let expected = try NPY.read(path: dir.appendingPathComponent("expected.npy").path).floatValues()
        let scale = try #require(Float(String(contentsOf: dir.appendingPathComponent("scale.txt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let output = try #require(try CPUBackend(threads: 2).compile(realized.graph).run(feeds)[graph.outputs[0].name])
        let ours = output.floatValues()
        #expect(ours.count == expected.count)
        let steps = zip(ours, expected).map { Int((($0 - $1) / scale).rounded()) }
        let identical = steps.filter { $0 == 0 }.count
        let worst = steps.map(abs).max() ?? 0
        #expect(identical == steps.count,
                "\(name): \(steps.count - identical) of \(steps.count) outputs differ from onnxruntime's, by up to \(worst)")
    }
}
