import Foundation
import OctetConformance
import OctetCPU
import OctetTestSupport
import Testing

/// Every ONNX node test the CPU backend supports must pass, or be listed in KnownExceptions.txt with a reason.
@Suite struct NodeTests {
    @Test func onnxNodeTestsPassOnTheCPU() throws {
        let root = Paths.cache("onnx-tests/node")
        guard Paths.exists(root) else {
            try Skip.missingData("\(root.path) is missing (run Scripts/fetch-onnx-tests.sh)")
            return
        }
        let known = try KnownExceptions.load()
        let expected = try ExpectedPasses.load()
        let backend = CPUBackend()
        let folders = try NodeTestSuite.testFolders(in: root)
        var passed = 0, excepted = 0, skipped = 0
        var passing: [String] = []
        for folder in folders {
            let name = folder.lastPathComponent
            let outcome = NodeTestSuite.run(folder: folder, on: backend)
            if case .passed = outcome { passing.append(name) }
            switch outcome {
            case .passed:
                passed += 1
                if known[name] != nil { Issue.record("\(name) passes but is listed in KnownExceptions.txt") }
            case .unsupported:
                skipped += 1
            case .failed(let why):
                if known[name] != nil {
                    excepted += 1
                } else {
                    Issue.record("\(name): \(why)")
                }
            }
        }
        print("conformance: \(passed) passed, \(excepted) known exceptions, \(skipped) skipped (unsupported) of \(folders.count)")
        if ProcessInfo.processInfo.environment["OCTET_UPDATE_EXPECTED_PASSES"] != nil {
            try ExpectedPasses.write(passing)
            return
        }
        // An op that quietly becomes "unsupported" would otherwise only lower the count: every test that
        // passed when the list was written must still pass, and a newly passing one joins the list.
        let now = Set(passing)
        for name in expected.sorted() where !now.contains(name) {
            Issue.record("\(name) is listed in ExpectedPasses.txt but no longer passes")
        }
        for name in passing where !expected.contains(name) {
            Issue.record("\(name) passes but is not in ExpectedPasses.txt (OCTET_UPDATE_EXPECTED_PASSES=1 rewrites it)")
        }
        #expect(passed == expected.count)
    }
}

/// `Tests/ConformanceTests/ExpectedPasses.txt`: the node tests that pass, one name per line.
enum ExpectedPasses {
    static let file = Paths.root.appendingPathComponent("Tests/ConformanceTests/ExpectedPasses.txt")

    static func load() throws -> Set<String> {
        Set(try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("#") && !$0.isEmpty })
    }

    static func write(_ names: [String]) throws {
        let header = "# ONNX node tests (onnx 1.22.0) that pass on the CPU backend; NodeTests checks the list both ways.\n"
        try (header + names.sorted().joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    }
}

/// `Tests/ConformanceTests/KnownExceptions.txt`: one line per test, name, tab, the reason it fails.
enum KnownExceptions {
    static func load() throws -> [String: String] {
        let file = Paths.root.appendingPathComponent("Tests/ConformanceTests/KnownExceptions.txt")
        var entries: [String: String] = [:]
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2 else { throw KnownExceptionsError(line: String(line)) }
            entries[String(fields[0])] = String(fields[1])
        }
        return entries
    }

    struct KnownExceptionsError: Error, CustomStringConvertible {
        var line: String
        var description: String { "KnownExceptions.txt: line \"\(line)\" is not name<TAB>reason" }
    }
}
