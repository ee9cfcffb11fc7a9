import Foundation
import OctetTestSupport
import Testing

/// `octet test-ops` as a user runs it: a selection by op, a name that matches nothing, the JSON report.
@Suite(.serialized) struct TestOpsCommandTests {
    @Test func anOpsCasesPassOnTheCPU() throws {
        let r = try runOctet(["test-ops", "--op", "QLinearAdd"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  PASS         QLinearAdd u8 [1,24,13,11] (kernel: fast integer add)"), "\(r.stdout)")
        let summary = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("test-ops --target cpu: ") && summary.contains(" passed, 0 failed"), "\(r.stdout)")
    }

    @Test func anUnknownOpFailsListingTheKnownOnes() throws {
        let r = try runOctet(["test-ops", "--op", "NoSuchOp"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("--op NoSuchOp: no op case matches; the ops are ConvInteger+Requantize, "), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func jsonReportsEveryCaseAndTheTotals() throws {
        let r = try runOctet(["test-ops", "--op", "Requantize", "--json", "--seed", "11"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(report["target"] as? String == "cpu")
        #expect(report["seed"] as? Int == 11)
        let cases = try #require(report["cases"] as? [[String: Any]])
        // Requantize alone, and after every ConvInteger and MatMulInteger that has one.
        #expect(cases.contains { $0["op"] as? String == "Requantize" })
        #expect(cases.contains {
            $0["op"] as? String == "ConvInteger+Requantize" && $0["kernel"] as? String == "fast integer conv + folded"
        })
        #expect(cases.allSatisfy { $0["status"] as? String == "passed" && $0["detail"] is NSNull })
        let totals = try #require(report["totals"] as? [String: Int])
        #expect(totals["passed"] == cases.count && totals["failed"] == 0 && totals["error"] == 0)
    }
}
