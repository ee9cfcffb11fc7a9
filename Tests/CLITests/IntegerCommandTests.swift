import Foundation
import OctetTestSupport
import Testing

/// The commands on quantized models: the integer path by default, --simulate, inspect --lowered,
/// bench --profile and --isa, quantize --dynamic.
@Suite(.serialized) struct IntegerCommandTests {
    static let fixture = "Fixtures/int8/conv3x3_int8"

    static func floats(_ npy: String) throws -> [Float] {
        // Little-endian float32 NPY: the header length is at bytes 8-9, the data follows the header.
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: npy)))
        let header = Int(data[8]) | Int(data[9]) << 8
        return stride(from: 10 + header, to: data.count, by: 4).map { i in
            Float(bitPattern: UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24)
        }
    }

    /// `run` gives onnxruntime's outputs bit for bit on the integer path; --simulate runs too.
    @Test func runUsesTheIntegerPath() throws {
        let out = CommandLineTests.temporary("int8-run"), simulated = CommandLineTests.temporary("int8-run-sim")
        let args = ["run", Self.fixture + "/model.onnx", "--input", "x=\(Self.fixture)/input_0.npy"]
        let r = try runOctet(args + ["--save", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.floats(out + "/y.npy") == Self.floats(Self.fixture + "/expected.npy"))
        let s = try runOctet(args + ["--save", simulated, "--simulate"])
        #expect(s.status == 0, "\(s.stderr)")
        // Float arithmetic rounded once at the end: within one output step (scale.txt) of the integer bits.
        let step = try #require(Float(try String(contentsOfFile: Self.fixture + "/scale.txt", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let (sim, expected) = (try Self.floats(simulated + "/y.npy"), try Self.floats(Self.fixture + "/expected.npy"))
        #expect(sim.count == expected.count)
        #expect(zip(sim, expected).allSatisfy { abs($0 - $1) <= step * 1.001 })
    }

    @Test func inspectLoweredListsIntegerAndFloatOps() throws {
        let r = try runOctet(["inspect", Self.fixture + "/model.qoperator.onnx", "--lowered"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("1 of 1 ops run as integers"), "\(r.stdout)")
        let graph = try runOctet(["inspect", Self.fixture + "/model.onnx", "--lowered", "--graph"])
        #expect(graph.stdout.contains("ConvInteger(") && graph.stdout.contains("Requantize("), "\(graph.stdout)")
        let float = try runOctet(["inspect", "Fixtures/mobilenet_v2.onnx", "--lowered"])
        #expect(float.stdout.contains("no QuantizeLinear or DequantizeLinear"), "\(float.stdout)")
    }

    @Test func benchProfilesAndLimitsTheISA() throws {
        let r = try runOctet(["bench", Self.fixture + "/model.onnx", "--repeat", "3", "--profile"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("profile:") && r.stdout.contains("ConvInteger (fast integer conv)"), "\(r.stdout)")
        let one = try runOctet(["bench", Self.fixture + "/model.onnx", "--repeat", "2", "--profile", "--top", "1"])
        let slowest = one.stdout.components(separatedBy: "slowest nodes:\n").last ?? ""
        #expect(slowest.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(" ms  ") }.count == 1,
                "\(one.stdout)")
        let portable = try runOctet(["bench", Self.fixture + "/model.onnx", "--repeat", "2", "--isa", "portable", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(portable.stdout.utf8)) as? [String: Any])
        #expect(json["isa"] as? String == "float portable, integer portable")
        let bad = try runOctet(["bench", Self.fixture + "/model.onnx", "--isa", "sse9"])
        #expect(bad.status == 2)
    }

    /// --dynamic needs no data; the classifier's Gemm becomes MatMulInteger and the top class stays.
    @Test func quantizeDynamicRuns() throws {
        let out = CommandLineTests.temporary("dynamic.onnx")
        let q = try runOctet(["quantize", "Fixtures/mobilenet_v2.onnx", "--dynamic", "-o", out], timeout: 300)
        #expect(q.status == 0, "\(q.stderr)")
        #expect(q.stdout.contains("quantized 1 nodes dynamically"), "\(q.stdout)")
        let input = "input=Fixtures/reference/mobilenet_v2/input.npy"
        let a = try runOctet(["run", out, "--input", input, "--top", "1"], timeout: 300)
        let b = try runOctet(["run", "Fixtures/mobilenet_v2.onnx", "--input", input, "--top", "1"], timeout: 300)
        #expect(a.status == 0, "\(a.stderr)")
        let top = { (s: String) in s.split(separator: "\n").dropFirst().first?.split(separator: " ").dropFirst().first }
        #expect(top(a.stdout) != nil && top(a.stdout) == top(b.stdout), "\(a.stdout) \(b.stdout)")
        let mixed = try runOctet(["quantize", "Fixtures/mobilenet_v2.onnx", "--dynamic", "--calib", "x.rec", "-o", out])
        #expect(mixed.status == 2)
    }
}

/// Hostile quantized models (Scripts/make-int8-hostile-fixtures.py): a clear error naming the node, or the
/// region float with a warning that says why; never a crash.
@Suite(.serialized) struct HostileQuantizedModelTests {
    /// The file, its expected exit status and what stderr must say.
    static let cases: [(String, Int32, String)] = [
        ("zero_scale", 0, "Conv \"conv\" runs in float: DequantizeLinear \"dq_x\" has scale 0.0"),
        ("negative_scale", 0, "has scale -0.05, not a positive finite number"),
        ("nan_scale", 0, "has scale nan, not a positive finite number"),
        ("infinite_scale", 0, "has scale inf, not a positive finite number"),
        ("bias_overflows_int32", 0, "bias \"bd\" of \"conv\" overflows int32"),
        ("per_axis_size_mismatch", 1, "node \"dq_w\""),
        ("qlinearadd_omitted_zero_points", 1, "node \"add\" (QLinearAdd): input 3 (a zero point) is omitted"),
        ("unknown_contrib_op", 1, "op QAttention of domain \"com.microsoft\" is not supported"),
        ("zero_point_of_another_type", 1, "node \"dq_w\": input is i8 but its zero point is u8"),
    ]

    @Test(arguments: cases.map(\.0)) func clearErrorOrWarning(_ name: String) throws {
        let (_, status, message) = Self.cases.first { $0.0 == name }!
        let file = "Fixtures/int8-hostile/\(name).onnx"
        let r = try runOctet(["run", file, "--input", "x=Fixtures/int8-hostile/input.npy", "--save",
                              CommandLineTests.temporary("hostile-" + name)])
        #expect(!r.timedOut)
        #expect(r.status == status, "\(name): status \(r.status), \(r.stderr)")
        #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
        if status == 1 { #expect(r.stderr.hasPrefix("octet: error: \(file):"), "\(r.stderr)") }
    }
}
