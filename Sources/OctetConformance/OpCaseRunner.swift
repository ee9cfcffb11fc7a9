import OctetCPU
import OctetIR

/// What running one op case on a backend gave.
public enum OpCaseStatus: Sendable, Equatable {
    case passed
    /// The backend ran the case and an output differs from the reference kernels'.
    case failed(OutputMismatch)
    /// The backend declines the case: the reason its `supports` gives, or an `IRError.unsupported` it threw.
    /// Not a failure; ggml's test-backend-ops reports these the same way.
    case unsupported(String)
    /// No outputs to compare: the backend threw or left an output out, or the case itself is malformed (its
    /// graph does not verify, or the reference kernels refuse it).
    case error(String)
}

/// One case's verdict, with the kernels that ran it when the backend is the CPU's.
public struct OpCaseResult: Sendable, Equatable {
    public var name: String
    public var op: String
    public var status: OpCaseStatus
    /// Per node, what `CPUBackend.kernelNames` says runs it ("reference", "folded", or a fast kernel's name), so a
    /// pass on the CPU shows which fast kernel was checked; empty for other backends. It is the plan made when
    /// the graph compiles: a fast step that declines its inputs at run time (QLinearAdd of two shapes) runs the
    /// reference unannounced, and Conv, Gemm, MatMul and MaxPool planned as "reference" still try their fast
    /// kernels first.
    public var kernels: [String]
    /// Why the case fails on this backend, when `OpCatalog.knownFailures` lists it.
    public var knownFailure: String?

    public init(name: String, op: String, status: OpCaseStatus, kernels: [String] = [], knownFailure: String? = nil) {
        self.name = name
        self.op = op
        self.status = status
        self.kernels = kernels
        self.knownFailure = knownFailure
    }

    /// Failed or errored, and not listed as a known failure: what makes `octet test-ops` exit 1.
    public var isNewFailure: Bool {
        switch status {
        case .passed, .unsupported: false
        case .failed, .error: knownFailure == nil
        }
    }
}

/// Runs op cases on a backend and checks every output against the reference kernels run node by node.
///
/// On the CPU backend this checks the fast kernels, which its compiled model runs, against the reference
/// kernels, which `ReferenceKernels` runs alone. A backend's thrown error becomes a result, never a crash.
public struct OpCaseRunner: Sendable {
    /// The seed `octet test-ops` uses unless told otherwise.
    public static let defaultSeed: UInt64 = 2024

    public let backend: any Backend
    public let seed: UInt64

    public init(backend: any Backend, seed: UInt64 = OpCaseRunner.defaultSeed) {
        self.backend = backend
        self.seed = seed
    }

    public func run(_ testCase: OpCase) -> OpCaseResult {
        var result = OpCaseResult(name: testCase.name, op: testCase.op, status: .passed,
                                  knownFailure: OpCatalog.knownFailures[backend.name]?[testCase.name])
        let instance: OpCase.Instance
        do {
            instance = try testCase.instantiate(seed: seed)
        } catch {
            result.status = .error("case graph: \(error)")
            return result
        }
        if let cpu = backend as? CPUBackend { result.kernels = cpu.kernelNames(instance.graph) }
        result.status = status(of: instance, tolerance: testCase.tolerance)
        return result
    }

    private func status(of instance: OpCase.Instance, tolerance: OpTolerance) -> OpCaseStatus {
        let graph = instance.graph
        for node in graph.nodes {
            if case .unsupported(let reason) = backend.supports(node, in: graph) { return .unsupported(reason) }
        }
        let expected: [String: Tensor]
        do {
            expected = try Self.referenceValues(instance)
        } catch {
            return .error("reference kernels: \(error)")
        }
        let outputs: [String: Tensor]
        do {
            outputs = try backend.compile(graph).run(instance.inputs)
        } catch IRError.unsupported(let reason) {
            return .unsupported(reason)
        } catch {
            return .error("\(backend.name): \(error)")
        }
        for info in graph.outputs {
            guard let want = expected[info.name] else { return .error("reference kernels gave no output \"\(info.name)\"") }
            guard let got = outputs[info.name] else { return .error("\(backend.name) gave no output \"\(info.name)\"") }
            if let mismatch = TensorComparison.firstMismatch(got, want, output: info.name, tolerance: tolerance) {
                return .failed(mismatch)
            }
        }
        return .passed
    }

    /// Every value of the instance's graph, its outputs among them, from the reference kernels node by node.
    public static func referenceValues(_ instance: OpCase.Instance) throws -> [String: Tensor] {
        let reference = ReferenceKernels(threads: 1)
        var values = instance.graph.initializers.merging(instance.inputs) { initializer, _ in initializer }
        for node in instance.graph.nodes {
            let results = try reference.evaluate(node, inputs: node.inputs.map { $0.isEmpty ? nil : values[$0] })
            for (name, t) in zip(node.outputs, results) where !name.isEmpty { values[name] = t }
        }
        return values
    }
}
