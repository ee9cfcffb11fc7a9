import Foundation
import OctetFormats
import OctetIR
import OctetTestSupport
import Testing

/// The built binary as users and scripts call it: help, exit codes, and each command on bundled real data.
@Suite(.serialized) struct CommandLineTests {
    static let commands = ["demo", "inspect", "run", "bench", "quantize", "eval", "compare", "test-ops", "pack", "convert"]

    static func temporary(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-cli-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test(arguments: commands)
    func helpPrintsUsage(_ command: String) throws {
        let r = try runOctet([command, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("usage: octet \(command)"), "\(r.stdout)")
    }

    @Test func badFlagsExitTwo() throws {
        let unknownCommand = try runOctet(["frobnicate"])
        #expect(unknownCommand.status == 2)
        let unknownFlag = try runOctet(["inspect", "Fixtures/mobilenet_v2.onnx", "--bogus"])
        #expect(unknownFlag.status == 2)
        #expect(unknownFlag.stderr.contains("unknown option --bogus"))
        let badMode = try runOctet(["quantize", "Fixtures/mobilenet_v2.onnx", "-o", "x.onnx", "--calib", "d.rec", "--mode", "fast"])
        #expect(badMode.status == 2)
        #expect(badMode.stderr.contains("--mode must be one of"))
    }

    @Test func missingFileExitsOneNamingIt() throws {
        let r = try runOctet(["inspect", "no-such-model.onnx"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("octet: error: no-such-model.onnx:"), "\(r.stderr)")
    }

    @Test func runClassifiesARealPhoto() throws {
        let r = try runOctet(["run", "Fixtures/mobilenet_v2.onnx", "--input", "Fixtures/photos/n07714990_broccoli.JPEG",
                              "--top", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let first = r.stdout.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        #expect(first.hasSuffix(" broccoli"), "\(r.stdout)")
    }

    @Test func runSavesOutputsAsNPY() throws {
        let dir = Self.temporary("saved")
        let r = try runOctet(["run", "Fixtures/mobilenet_v2.onnx", "--input", "input=Fixtures/reference/mobilenet_v2/input.npy",
                              "--save", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let saved = try IntegerCommandTests.floats(dir + "/logits.npy")
        let reference = try IntegerCommandTests.floats("Fixtures/reference/mobilenet_v2/output_0.npy")
        #expect(saved.count == 1000 && relativeError(saved, reference) <= Tolerance.realModelRelative)
    }

    @Test func inspectSummarizesModelAndRecordFile() throws {
        let model = try runOctet(["inspect", "Fixtures/mobilenet_v2.onnx"])
        #expect(model.status == 0)
        #expect(model.stdout.contains("Conv"))
        #expect(model.stdout.contains("input: f32[batch,3,224,224]"), "\(model.stdout)")
        let rec = try runOctet(["inspect", "Fixtures/rec/dev8.rec"])
        #expect(rec.status == 0)
        #expect(rec.stdout.contains("8 records"), "\(rec.stdout)")
    }

    /// A pack with broken records still gets its summary, then exit status 1, so scripts can validate packs.
    @Test func inspectOfADamagedRecordFileFailsAfterItsSummary() throws {
        let rec = try runOctet(["inspect", "Fixtures/rec/magic.rec"])
        #expect(rec.status == 1, "\(rec.stderr)")
        #expect(rec.stdout.contains("7 records"), "\(rec.stdout)")
        #expect(rec.stderr.contains("Fixtures/rec/magic.rec: damaged: 4 records with a bad header"), "\(rec.stderr)")
    }

    /// A model that declares no outputs gives eval nothing to score: a clear error, not a trap.
    @Test func evalOfAModelWithoutOutputsIsAnError() throws {
        let path = Self.temporary("no-outputs.onnx")
        let graph = Graph(name: "no outputs",
                          inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(3), .fixed(8), .fixed(8)])],
                          outputs: [],
                          nodes: [Node(name: "pool", op: .globalAveragePool, inputs: ["x"], outputs: ["y"])],
                          initializers: [:])
        try ONNXExporter.write(graph, to: path)
        let eval = try runOctet(["eval", path, "--data", "Fixtures/rec/dev8.rec"])
        #expect(eval.status == 1, "\(eval.stderr)")
        #expect(eval.stderr.contains("declares no graph outputs"), "\(eval.stderr)")
    }

    /// Quantize on 8 real photos, twice: identical bytes; the scale file reproduces the model; eval and
    /// compare read the result.
    @Test func quantizeIsDeterministicAndItsOutputRuns() throws {
        let a = Self.temporary("a.onnx"), b = Self.temporary("b.onnx"), c = Self.temporary("c.onnx")
        let scales = Self.temporary("scales.json")
        let common = ["quantize", "Fixtures/mobilenet_v2.onnx", "--calib", "Fixtures/rec/dev8.rec", "--mode", "kl",
                      "--samples", "8"]
        let first = try runOctet(common + ["-o", a, "--dump-scales", scales], timeout: 600)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("quantized"), "\(first.stdout)")
        let second = try runOctet(common + ["-o", b], timeout: 600)
        #expect(second.status == 0)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a)), bytesB = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(!bytesA.isEmpty && bytesA == bytesB)
        let reloaded = try runOctet(["quantize", "Fixtures/mobilenet_v2.onnx", "--load-scales", scales, "-o", c], timeout: 600)
        #expect(reloaded.status == 0, "\(reloaded.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: c)) == bytesA)

        let eval = try runOctet(["eval", a, "--data", "Fixtures/rec/dev8.rec", "--reference", "Fixtures/mobilenet_v2.onnx",
                                 "--json"], timeout: 600)
        #expect(eval.status == 0, "\(eval.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        #expect(json["images"] as? Int == 8)
        let agreement = try #require(json["agreement"] as? Double)
        #expect(agreement >= 50, "int8 agrees with float on \(agreement)% of 8 photos")

        let compare = try runOctet(["compare", "Fixtures/mobilenet_v2.onnx", a, "--data", "Fixtures/rec/dev8.rec",
                                    "--limit", "4"], timeout: 600)
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("SQNR"))
        #expect(compare.stdout.split(separator: "\n").count > 10)
        // Then one row per layer (MobileNetV2's 51 quantized convs, 10 adds, the classifier) with only it quantized.
        let shares = try #require(compare.stdout.components(separatedBy: "with every layer quantized").last)
        let rows = shares.split(separator: "\n").dropFirst().filter { Double($0.split(separator: " ").first ?? "") != nil }
        #expect(rows.count >= 60, "\(compare.stdout)")
    }

    @Test func quantizeRefusesUnknownExclude() throws {
        let r = try runOctet(["quantize", "Fixtures/mobilenet_v2.onnx", "--calib", "Fixtures/rec/dev8.rec",
                              "-o", Self.temporary("never.onnx"), "--exclude", "no_such_node"], timeout: 300)
        #expect(r.status == 1)
        #expect(r.stderr.contains("no node named \"no_such_node\""), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: Self.temporary("never.onnx")))
    }

    @Test func packWritesARecordFileThatInspectReads() throws {
        let out = Self.temporary("packed.rec")
        let r = try runOctet(["pack", "Fixtures/photos", "-o", out, "--resize", "128", "--quality", "80"], timeout: 600)
        #expect(r.status == 0, "\(r.stderr)")
        let inspect = try runOctet(["inspect", out])
        #expect(inspect.stdout.contains("8 records"), "\(inspect.stdout)")
        let eval = try runOctet(["eval", "Fixtures/mobilenet_v2.onnx", "--data", out, "--size", "112", "--resize", "128",
                                 "--limit", "4", "--json"], timeout: 300)
        #expect(eval.status == 1, "a 224 model refuses 112 crops: \(eval.stderr)")
        #expect(eval.stderr.contains("--size 224"), "\(eval.stderr)")
    }

    @Test(arguments: ["rec", "jpeg", "pytorch"])
    func hostileDataExitsOneNamingTheFile(_ kind: String) throws {
        let dir = Paths.fixture("corrupt/" + kind)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        let files = names.filter { kind != "rec" || $0.hasSuffix(".rec") }.map { "Fixtures/corrupt/\(kind)/\($0)" }
        #expect(!files.isEmpty)
        for file in files {
            let args: [String]
            switch kind {
            case "rec": args = ["eval", "Fixtures/mobilenet_v2.onnx", "--data", file]
            case "jpeg": args = ["run", "Fixtures/mobilenet_v2.onnx", "--input", file]
            default: args = ["convert", file, "--arch", "mobilenet_v2", "-o", Self.temporary("never.onnx")]
            }
            let r = try runOctet(args, timeout: 120)
            #expect(!r.timedOut)
            #expect(r.status == 1, "\(file): status \(r.status), \(r.stderr)")
            #expect(r.stderr.hasPrefix("octet: error: \(file):"), "\(file): \(r.stderr)")
        }
    }
}
