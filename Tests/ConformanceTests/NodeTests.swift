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
            print("SKIPPED: \(root.path) is missing (run Scripts/fetch-onnx-tests.sh)")
            return
        }
        let known = try KnownExceptions.load()
        let backend = CPUBackend()
        let folders = try NodeTestSuite.testFolders(in: root)
        var passed = 0, excepted = 0, skipped = 0
        for folder in folders {
            let name = folder.lastPathComponent
            switch NodeTestSuite.run(folder: folder, on: backend) {
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
        #expect(passed > 0)
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
