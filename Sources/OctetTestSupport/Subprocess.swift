import Foundation

/// The result of running a program to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
}

/// Runs a program with arguments, capturing its output, killing it after `timeout` seconds.
public func runProcess(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 120,
                       currentDirectory: URL? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("octet-out-\(UUID().uuidString)")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("octet-err-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
        if Date() > deadline {
            process.terminate()
            timedOut = true
            break
        }
        usleep(10_000)
    }
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return ProcessResult(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
}

/// The `octet` binary (or libOctet.so) is missing: `Scripts/test.sh` builds both before the tests, so its
/// absence is a failure.
public struct MissingBinary: Error, CustomStringConvertible {
    public let path: String
    public init(path: String) { self.path = path }
    public var description: String { "\(path) is not built; Scripts/test.sh builds it before running the tests" }
}

/// Runs the built `octet` binary; throws `MissingBinary` (failing the calling test) when it is not there.
public func runOctet(_ arguments: [String], timeout: TimeInterval = 300) throws -> ProcessResult {
    guard FileManager.default.isExecutableFile(atPath: Paths.octetBinary.path) else {
        throw MissingBinary(path: Paths.octetBinary.path)
    }
    return try runProcess(Paths.octetBinary, arguments, timeout: timeout, currentDirectory: Paths.root)
}
