import OctetConformance
import OctetIR
import XCTest
@testable import OctetCUDA

/// `octet test-ops`'s whole catalog on the CUDA backend's lowering and kernels, run by the host emulator:
/// integers bit for bit against the CPU reference kernels, floats within each case's tolerance, guard bytes
/// after every buffer. What `octet test-ops --target cuda` checks on a GPU, short of the GPU.
final class EmulatedOpCaseTests: XCTestCase {
    func testEveryOpCaseMatchesTheReference() throws {
        let emulator: HostKernelEmulator
        do { emulator = try HostKernelEmulator.make() } catch let e as HostKernelEmulator.EmulatorUnavailable where !e.isFailure {
            throw XCTSkip("SKIPPED: \(e.description)")
        }
        let runner = OpCaseRunner(backend: EmulatedCUDABackend(emulator: emulator))
        var passed = 0, unsupported: [String] = []
        for testCase in OpCatalog.all {
            let result = runner.run(testCase)
            switch result.status {
            case .passed: passed += 1
            case .unsupported(let reason): unsupported.append("\(result.name): \(reason)")
            case .failed(let mismatch): XCTFail("\(result.name): \(mismatch)")
            case .error(let message): XCTFail("\(result.name): \(message)")
            }
        }
        print("emulated cuda: \(passed) passed, \(unsupported.count) unsupported\n  " + unsupported.joined(separator: "\n  "))
        // The ops a realized CNN uses must all run; what stays unsupported is named in the CUDA backend.
        XCTAssertGreaterThan(passed, OpCatalog.all.count * 3 / 4)
    }
}
