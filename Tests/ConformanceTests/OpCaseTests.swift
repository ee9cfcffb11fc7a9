import OctetConformance
import OctetCPU
import OctetIR
import Testing

/// The op cases `octet test-ops` runs: every one passes on the CPU's fast kernels against the reference, and
/// the runner reports a wrong backend as failed, a declining one as unsupported, a throwing one as an error.
@Suite struct OpCaseTests {
    static let catalog = OpCatalog.all

    static func testCase(_ name: String) throws -> OpCase {
        try #require(catalog.first { $0.name == name }, "no catalog case \"\(name)\"")
    }

    // MARK: The catalog on the CPU

    /// Two threads, so a batch of three also runs as parts (`BatchSplit`), as it does for users.
    @Test("Each catalog case gives the reference kernels' outputs on the CPU backend",
          arguments: catalog.map(\.name))
    func passesOnTheCPU(_ name: String) throws {
        let result = OpCaseRunner(backend: CPUBackend(threads: 2)).run(try Self.testCase(name))
        if let reason = result.knownFailure {
            #expect(result.status != .passed,
                    "listed in OpCatalog.knownFailures (\(reason)) but passes: remove the entry")
        } else {
            #expect(result.status == .passed)
        }
    }

    @Test func caseNamesAreUniqueSinceTheyNameTheirRandomStreams() {
        let names = Self.catalog.map(\.name)
        #expect(Set(names).count == names.count, "\(Dictionary(grouping: names) { $0 }.filter { $1.count > 1 }.keys)")
        for (backend, entries) in OpCatalog.knownFailures {
            for name in entries.keys {
                #expect(names.contains(name), "knownFailures[\(backend)] lists unknown case \(name)")
            }
        }
    }

    @Test func theCatalogCoversARealizedInt8CNNAndTheFloatOpsAroundIt() {
        let ops = Set(Self.catalog.flatMap { $0.nodes.map(\.op.onnxName) })
        let required = ["QuantizeLinear", "DequantizeLinear", "Requantize", "ConvInteger", "MatMulInteger", "QLinearAdd",
                        "QLinearGlobalAveragePool", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
                        "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Relu", "Sigmoid", "Tanh", "Sqrt",
                        "Erf", "HardSwish", "Floor", "LeakyRelu", "HardSigmoid", "Clip", "Softmax", "Concat", "Reshape",
                        "Flatten"]
        #expect(required.filter { !ops.contains($0) } == [])
        #expect(OpCatalog.ops.contains("ConvInteger+Requantize"))
    }

    /// The ratios and scales are chosen from the operands' statistics: a case whose outputs all saturate, or
    /// take a handful of values, would pass on a backend that gets the arithmetic wrong.
    @Test("8-bit outputs spread over their range", arguments: catalog.filter { $0.nodes.last.map(Self.makes8Bit) ?? false }
        .map(\.name))
    func integerOutputsSpread(_ name: String) throws {
        let instance = try Self.testCase(name).instantiate(seed: OpCaseRunner.defaultSeed)
        let y = try #require(try OpCaseRunner.referenceValues(instance)["y"])
        let v = y.int64Values()
        let (low, high): (Int64, Int64) = y.dtype == .u8 ? (0, 255) : (-128, 127)
        let saturated = v.filter { $0 == low || $0 == high }.count
        #expect(Double(saturated) <= 0.2 * Double(v.count), "\(saturated) of \(v.count) at the type's limits")
        #expect(Set(v).count >= min(v.count / 2, 40), "only \(Set(v).count) distinct values of \(v.count)")
    }

    private static func makes8Bit(_ node: Node) -> Bool {
        switch node.op {
        case .requantize, .qlinearAdd, .qlinearGlobalAveragePool, .quantizeLinear: true
        default: false
        }
    }

    /// The comparison is of the fast kernels: the integer convolutions ran on them, not on the reference.
    @Test func integerConvolutionsRunTheFastKernelsOnTheCPU() {
        let runner = OpCaseRunner(backend: CPUBackend(threads: 2))
        let convolutions = Self.catalog.filter { $0.op.hasPrefix("ConvInteger") }
        #expect(convolutions.count >= 20)
        let results = convolutions.map(runner.run)
        for (testCase, result) in zip(convolutions, results) {
            #expect(result.kernels.first?.hasPrefix("fast integer") == true, "\(testCase.name): \(result.kernels)")
            // The Requantize ran as the kernel's epilogue, not on its own.
            if testCase.nodes.count == 2 { #expect(result.kernels.last == "folded", "\(testCase.name): \(result.kernels)") }
        }
        #expect(results.contains { $0.kernels.first == "fast integer depthwise conv" })
    }

    // MARK: The runner's verdicts

    /// Every 8-bit or int32 output off by one step, and every float one just past its case's tolerance, is a
    /// failure reported at that element.
    @Test(arguments: [
        ("ConvInteger+Requantize u8 3x3 s2 [3,17,11,13] -> u8 per-channel", 17),
        ("ConvInteger i8 1x1 [3,9,5,6]", 0),
        ("QLinearAdd i8 [3,16,11,13]", 6863),
        ("Relu [3,5,7]", 104),
        ("Conv 7x7 s2 pad 3 [1,3,32,29]", 100),
        ("Softmax axis 1 [3,7,5]", 33),
    ])
    func aValueOffByOneStepFails(_ name: String, _ index: Int) throws {
        let testCase = try Self.testCase(name)
        let result = OpCaseRunner(backend: PerturbedBackend(index: index, tolerance: testCase.tolerance)).run(testCase)
        guard case .failed(let mismatch) = result.status else {
            Issue.record("expected a failure, got \(result.status)")
            return
        }
        #expect(mismatch.index == index)
        #expect(mismatch.differing == 1)
        #expect(mismatch.got != mismatch.expected)
        #expect(mismatch.maxAbsError > 0)
        #expect(result.isNewFailure)
    }

    @Test func aBackendThatDeclinesANodeIsUnsupportedWithItsReason() throws {
        let testCase = try Self.testCase("ConvInteger+Requantize u8 3x3 [1,8,13,11] -> u8")
        let declining = ScriptedBackend(declines: "Requantize", compileError: nil)
        let result = OpCaseRunner(backend: declining).run(testCase)
        #expect(result.status == .unsupported("Requantize has no scripted implementation"))
        #expect(!result.isNewFailure)
        let refusing = ScriptedBackend(declines: nil, compileError: IRError.unsupported("ConvInteger with 3 groups"))
        #expect(OpCaseRunner(backend: refusing).run(testCase).status == .unsupported("ConvInteger with 3 groups"))
    }

    @Test func aBackendThatThrowsIsAnErrorNotACrash() throws {
        let failing = ScriptedBackend(declines: nil, compileError: IRError.invalidGraph("out of device memory"))
        let result = OpCaseRunner(backend: failing).run(try Self.testCase("QLinearAdd u8 [1,24,13,11]"))
        #expect(result.status == .error("scripted: out of device memory"))
        #expect(result.isNewFailure)
    }

    // MARK: Seeded inputs

    @Test func splitMix64GivesItsPublishedSequence() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func inputsComeFromTheSeedAlone() throws {
        let testCase = try Self.testCase("ConvInteger+Requantize u8 3x3 s2 [3,17,11,13] -> u8 per-channel")
        let a = try testCase.instantiate(seed: 7), b = try testCase.instantiate(seed: 7)
        let c = try testCase.instantiate(seed: 8)
        #expect(a.inputs == b.inputs)
        #expect(a.graph == b.graph)
        #expect(a.inputs["x"] != c.inputs["x"])
        #expect(a.graph.initializers["w"] != c.graph.initializers["w"])
        // Fixed parameters stay whatever the seed.
        #expect(a.graph.initializers["ratio"] == c.graph.initializers["ratio"])
        // Each case draws from its own stream: another case's data does not depend on this one's.
        let other = try Self.testCase("ConvInteger u8 3x3 [1,6,9,10]").instantiate(seed: 7)
        #expect(other.inputs["x"]?.int64Values().prefix(16) != a.inputs["x"]?.int64Values().prefix(16))
    }
}

/// The CPU backend with one element of the first output moved: one step for integers, one ulp past an exact
/// tolerance or twice the tolerance's bound for floats.
struct PerturbedBackend: Backend {
    let index: Int
    let tolerance: OpTolerance
    private let cpu = CPUBackend(threads: 1)
    var name: String { "perturbed cpu" }

    func supports(_ node: Node, in graph: Graph) -> Support { cpu.supports(node, in: graph) }

    func compile(_ graph: Graph) throws -> any CompiledModel {
        Model(wrapped: try cpu.compile(graph), output: graph.outputs[0].name, index: index, tolerance: tolerance)
    }

    struct Model: CompiledModel {
        let wrapped: any CompiledModel
        let output: String
        let index: Int
        let tolerance: OpTolerance

        func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
            var outputs = try wrapped.run(inputs)
            guard let y = outputs[output] else { return outputs }
            let i = index
            let storage: Tensor.Storage
            switch y.storage {
            case .u8(var v): v[i] = v[i] == 255 ? 254 : v[i] + 1; storage = .u8(v)
            case .i8(var v): v[i] = v[i] == 127 ? 126 : v[i] + 1; storage = .i8(v)
            case .i32(var v): v[i] &+= 1; storage = .i32(v)
            case .f32(var v):
                let bound = tolerance.absolute + tolerance.relative * abs(v[i])
                v[i] = bound == 0 ? v[i].nextUp : v[i] + 2 * bound
                storage = .f32(v)
            default: return outputs
            }
            outputs[output] = Tensor(shape: y.shape, storage: storage)
            return outputs
        }
    }
}

/// A backend that declines nodes of one op, or throws when it compiles; it never runs anything.
struct ScriptedBackend: Backend {
    let declines: String?
    let compileError: IRError?
    var name: String { "scripted" }

    func supports(_ node: Node, in graph: Graph) -> Support {
        guard node.op.onnxName == declines else { return .supported }
        return .unsupported(reason: "\(node.op.onnxName) has no scripted implementation")
    }

    func compile(_ graph: Graph) throws -> any CompiledModel {
        throw compileError ?? IRError.invalidGraph("the scripted backend compiles nothing")
    }
}
