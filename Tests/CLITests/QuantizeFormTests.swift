import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

/// The form `octet quantize` writes: by default for Octet's integer kernels (per-channel depthwise inputs,
/// uint8 after Relu/ReLU6), `--compat ort` and `--compat tensorrt` for the other runtimes.
@Suite(.serialized) struct QuantizeFormTests {
    /// The scale and zero point of every activation QuantizeLinear of a written model.
    static func activationQuantizers(_ path: String) throws -> [(scale: Tensor, zeroPoint: Tensor)] {
        let graph = try ONNXImporter.load(path: path).graph
        return graph.nodes.filter { $0.op.onnxName == "QuantizeLinear" }.compactMap { node in
            guard let s = graph.initializers[node.inputs[1]], let z = graph.initializers[node.inputs[2]] else { return nil }
            return (s, z)
        }
    }

    static func quantize(_ extra: [String], name: String) throws -> (ProcessResult, String) {
        let out = CommandLineTests.temporary(name)
        let r = try runOctet(["quantize", "Fixtures/mobilenet_v2.onnx", "-o", out, "--calib", "Fixtures/rec/dev8.rec",
                              "--mode", "max", "--samples", "8", "--threads", "2"] + extra)
        return (r, out)
    }

    @Test func defaultFormHasPerChannelDepthwiseInputsAndUint8AfterReLU6() throws {
        let (r, out) = try Self.quantize([], name: "form-default.onnx")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("--compat ort or --compat tensorrt"), "\(r.stderr)")
        let q = try Self.activationQuantizers(out)
        // MobileNetV2: the 17 tensors only depthwise convs read, each after a ReLU6.
        let perChannel = q.filter { $0.scale.count > 1 }
        #expect(perChannel.count == 17)
        #expect(perChannel.allSatisfy { $0.zeroPoint.dtype == .u8 && $0.zeroPoint.floatValues().allSatisfy { $0 == 0 } })
        #expect(q.contains { $0.zeroPoint.dtype == .i8 }, "the projections' signed outputs stay int8")
    }

    @Test(arguments: [("ort", DType.u8), ("tensorrt", DType.i8)])
    func compatFormsUseOneTypeAndOneScalePerTensor(_ runtime: String, _ type: DType) throws {
        let (r, out) = try Self.quantize(["--compat", runtime], name: "form-\(runtime).onnx")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("--compat ort or"))
        let q = try Self.activationQuantizers(out)
        #expect(!q.isEmpty)
        #expect(q.allSatisfy { $0.scale.count == 1 && $0.zeroPoint.dtype == type })
        if type == .i8 { #expect(q.allSatisfy { $0.zeroPoint.floatValues() == [0] }, "TensorRT: symmetric") }
    }

    @Test(arguments: [["--compat", "tensorrt", "--activations", "uint8"],
                      ["--compat", "ort", "--depthwise-activations", "channel"],
                      ["--compat", "coreml"]])
    func compatRefusesWhatItExcludes(_ extra: [String]) throws {
        let (r, _) = try Self.quantize(extra, name: "form-refused.onnx")
        #expect(r.status == 2)
        #expect(r.stderr.contains("--compat"), "\(r.stderr)")
    }

    /// An accuracy budget is measured on --eval data, one budget at a time.
    @Test(arguments: [(["--max-drop", "0.3"], "measured on --eval DATA"),
                      (["--eval", "Fixtures/rec/dev8.rec", "--max-drop", "0.3", "--min-agreement", "99"], "give one budget"),
                      (["--eval", "Fixtures/rec/dev8.rec", "--min-agreement", "0"], "--min-agreement expects a percent")])
    func budgetFlagsAreChecked(_ extra: [String], _ message: String) throws {
        let (r, _) = try Self.quantize(extra, name: "budget-refused.onnx")
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
