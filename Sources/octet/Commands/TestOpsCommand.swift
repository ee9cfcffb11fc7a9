import Foundation
import Octet
import OctetConformance
import OctetCPU
import OctetIR

/// `octet test-ops`: ggml's test-backend-ops for Octet. Every op case runs on the target's backend and is
/// compared with the CPU reference kernels; on the cpu target that checks the fast CPU kernels.
struct TestOpsCommand: Command {
    static let name = "test-ops"
    static let summary = "check a backend op by op against the CPU reference kernels"
    static let help = """
        usage: octet test-ops [--target cpu|cuda] [--op NAME] [--seed N] [--threads N] [--isa I] [--json] [--verbose]

        Runs each op case (one node, or a pair such as ConvInteger+Requantize, on inputs drawn from the seed) on
        the target's backend and compares the outputs with the CPU reference kernels: integers bit for bit, floats
        within the case's named tolerance. On the cpu target the backend runs its fast kernels, so this checks them.
        On the cuda target every buffer has guard bytes after it, and a kernel that writes into them fails its case.

          --target T     cpu (default) or cuda
          --op NAME      the cases of op NAME (QLinearAdd, Requantize, ...), or else those whose name contains NAME
          --seed N       the seed every input is drawn from (default \(OpCaseRunner.defaultSeed))
          --threads N    the backend's threads (default: all cores)
          --json         print one JSON object: target, seed, cases (name, op, status, detail, kernel,
                         known_failure), totals
          --verbose      also print each case's tolerance, and the kernel ISA on the cpu target
        \(ISAChoice.help)

        exit status: 0 when no case failed or errored, 1 otherwise; unsupported cases are listed with their reason,
        and known failures (OpCatalog.knownFailures) with theirs, and neither counts as a failure
        """

    var target: Target
    var filter: String?
    var seed: UInt64
    var threads: Int
    var isa: ISAChoice
    var json: Bool
    var verbose: Bool

    init(parsing arguments: inout Arguments) throws(UsageError) {
        target = try arguments.choice("target", default: .cpu)
        filter = try arguments.option("op")
        seed = UInt64(try arguments.int("seed", default: Int(OpCaseRunner.defaultSeed), range: 0...Int.max))
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        isa = try arguments.choice("isa", default: .best)
        json = arguments.flag("json")
        verbose = arguments.flag("verbose")
        let extra = try arguments.positionals()
        guard extra.isEmpty else { throw UsageError("unexpected argument '\(extra[0])'") }
    }

    func run() throws {
        let cases = OpCatalog.cases(matching: filter)
        guard !cases.isEmpty else {
            throw InputError(nil, "--op \(filter ?? ""): no op case matches; the ops are "
                + OpCatalog.ops.joined(separator: ", "))
        }
        // A target that cannot start is one error, not the same error on every case.
        let device = try target.describe(threads: threads)
        let backend = try target.backend(threads: threads, checked: true)
        let runner = OpCaseRunner(backend: backend, seed: seed)
        if !json { print("test-ops --target \(target.rawValue): \(device)") }
        if verbose && !json && target == .cpu { print("cpu kernels: \(isa.effective)") }
        var results: [OpCaseResult] = []
        isa.run {
            for testCase in cases {
                let result = runner.run(testCase)
                if !json { printLine(result, tolerance: testCase.tolerance, previous: results.last) }
                results.append(result)
            }
        }
        let totals = Totals(results)
        if json {
            print(try Self.json(target: target, seed: seed, results: results, totals: totals))
        } else {
            print("test-ops --target \(target.rawValue): \(totals)")
        }
        let failures = results.filter(\.isNewFailure).count
        if failures > 0 {
            throw InputError(nil, "\(failures) of \(results.count) op cases failed on \(backend.name)")
        }
    }

    /// `  PASS  name (kernel: ...)`, and for anything but a pass the reason on the next lines; a reason the
    /// case before gave too (a backend that cannot start fails every case alike) is not repeated.
    private func printLine(_ result: OpCaseResult, tolerance: OpTolerance, previous: OpCaseResult?) {
        let kernel = Self.kernel(result).map { " (kernel: \($0))" } ?? ""
        let (status, detail) = Self.status(result)
        var word = ["passed": "PASS", "failed": "FAIL", "unsupported": "UNSUPPORTED", "error": "ERROR"][status] ?? status
        if detail != nil && result.knownFailure != nil && !result.isNewFailure { word = "KNOWN " + word }
        let indent = String(repeating: " ", count: 15)
        print("  " + word.padding(toLength: 13, withPad: " ", startingAt: 0) + result.name + kernel)
        if verbose { print(indent + "tolerance: \(tolerance)") }
        if let detail { print(indent + (previous.map(Self.status)?.1 == detail ? "(as above)" : detail)) }
        if let known = result.knownFailure, detail != nil { print(indent + "known failure: \(known)") }
    }

    /// The status as the JSON report names it, and its detail (nil for a pass).
    private static func status(_ result: OpCaseResult) -> (String, String?) {
        switch result.status {
        case .passed: ("passed", nil)
        case .failed(let mismatch): ("failed", mismatch.description)
        case .unsupported(let reason): ("unsupported", reason)
        case .error(let message): ("error", message)
        }
    }

    /// The kernels per node joined (`fast integer conv + folded`); nil when the backend does not say.
    private static func kernel(_ result: OpCaseResult) -> String? {
        result.kernels.isEmpty ? nil : result.kernels.joined(separator: " + ")
    }

    /// Counts by status, as the summary line writes them; known failures apart from new ones.
    struct Totals: CustomStringConvertible {
        var passed = 0, failed = 0, unsupported = 0, errors = 0, known = 0

        init(_ results: [OpCaseResult]) {
            for r in results {
                switch r.status {
                case .passed: passed += 1
                case .unsupported: unsupported += 1
                case .failed: if r.isNewFailure { failed += 1 } else { known += 1 }
                case .error: if r.isNewFailure { errors += 1 } else { known += 1 }
                }
            }
        }

        var description: String {
            "\(passed) passed, \(failed) failed, \(unsupported) unsupported" + (errors > 0 ? ", \(errors) errors" : "")
                + (known > 0 ? ", \(known) known failures" : "")
        }
    }

    private struct Report: Encodable {
        struct Case: Encodable {
            var name: String
            var op: String
            var status: String
            var detail: String?
            var kernel: String?
            var knownFailure: String?

            enum CodingKeys: String, CodingKey {
                case name, op, status, detail, kernel
                case knownFailure = "known_failure"
            }

            // Written out so a passed case shows "detail": null rather than leaving the key out.
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(name, forKey: .name)
                try c.encode(op, forKey: .op)
                try c.encode(status, forKey: .status)
                try c.encode(detail, forKey: .detail)
                try c.encode(kernel, forKey: .kernel)
                try c.encode(knownFailure, forKey: .knownFailure)
            }
        }

        var target: String
        var seed: UInt64
        var cases: [Case]
        var totals: [String: Int]
    }

    private static func json(target: Target, seed: UInt64, results: [OpCaseResult], totals: Totals) throws -> String {
        let cases = results.map { r -> Report.Case in
            let (status, detail) = Self.status(r)
            return Report.Case(name: r.name, op: r.op, status: status, detail: detail, kernel: kernel(r),
                               knownFailure: r.isNewFailure || detail == nil ? nil : r.knownFailure)
        }
        let report = Report(target: target.rawValue, seed: seed, cases: cases,
                            totals: ["passed": totals.passed, "failed": totals.failed, "unsupported": totals.unsupported,
                                     "error": totals.errors, "known_failures": totals.known])
        let encoder = JSONEncoder()
        // Sorted keys: two runs write the same bytes.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
