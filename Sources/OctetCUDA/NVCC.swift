import Foundation

/// The CUDA compiler, found at run time: kernels are compiled on the machine that runs them, for its GPU.
public struct NVCC: Sendable, Equatable {
    public let path: String
    /// "13.5", from `nvcc --version`: part of every cache key, since another nvcc may emit other code.
    public let version: String

    /// Where nvcc is looked for, in order: `OCTET_NVCC`, `CUDA_HOME/bin`, every directory on `PATH`, and the
    /// toolkit's default install folder. An `OCTET_NVCC` that names no file is an error, not a fallback.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) })
        throws(CUDAError) -> String {
        if let explicit = environment["OCTET_NVCC"], !explicit.isEmpty {
            guard isExecutable(explicit) else { throw .nvccMissing("OCTET_NVCC is \(explicit), which is not an executable file") }
            return explicit
        }
        var candidates: [String] = []
        if let home = environment["CUDA_HOME"], !home.isEmpty { candidates.append(home + "/bin/nvcc") }
        for dir in (environment["PATH"] ?? "").split(separator: ":") where !dir.isEmpty { candidates.append(dir + "/nvcc") }
        candidates.append("/usr/local/cuda/bin/nvcc")
        if let found = candidates.first(where: isExecutable) { return found }
        throw .nvccMissing("looked in CUDA_HOME, PATH and /usr/local/cuda")
    }

    nonisolated(unsafe) private static var found: NVCC?
    private static let findLock = NSLock()

    /// Finds nvcc and asks it its version, once per process.
    public static func find() throws(CUDAError) -> NVCC {
        findLock.lock()
        defer { findLock.unlock() }
        if let found { return found }
        let path = try locate()
        let run = try ProcessRun.run(path, ["--version"])
        guard run.status == 0, let version = parseVersion(run.output) else {
            throw .nvccMissing("\(path) --version did not say its release: \(run.output.prefix(200))")
        }
        found = NVCC(path: path, version: version)
        return found!
    }

    /// The release from `nvcc --version` ("Cuda compilation tools, release 13.5, V13.5.37" gives "13.5").
    public static func parseVersion(_ text: String) -> String? {
        guard let range = text.range(of: "release ") else { return nil }
        let tail = text[range.upperBound...]
        let version = tail.prefix { $0.isNumber || $0 == "." }
        return version.isEmpty ? nil : String(version)
    }

    /// The flags every kernel is compiled with. A cubin for the device's own architecture, not PTX: a newer
    /// nvcc's PTX does not load on an older driver, a cubin does. `-fmad=false`: the integer rules need a
    /// multiply rounded once and an add rounded once, as the CPU computes them.
    public static func flags(architecture: String) -> [String] {
        let number = architecture.hasPrefix("sm_") ? String(architecture.dropFirst(3)) : architecture
        return ["-cubin", "-gencode=arch=compute_\(number),code=sm_\(number)", "-O3", "-fmad=false", "-std=c++17"]
    }

    /// The whole command line for one kernel file.
    public static func arguments(source: String, output: String, architecture: String, includeDirectory: String) -> [String] {
        flags(architecture: architecture) + ["-I", includeDirectory, "-o", output, source]
    }

    /// Compiles `source` to a cubin at `output`; throws with nvcc's output when it fails.
    func compile(source: String, output: String, architecture: String, includeDirectory: String) throws(CUDAError) {
        let run = try ProcessRun.run(path, Self.arguments(source: source, output: output, architecture: architecture,
                                                          includeDirectory: includeDirectory))
        guard run.status == 0 else {
            throw .compileFailed(kernel: (source as NSString).lastPathComponent, output: run.output)
        }
    }
}

/// A child process run to completion, its stdout and stderr together.
enum ProcessRun {
    static func run(_ executable: String, _ arguments: [String]) throws(CUDAError) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { throw .nvccMissing("cannot run \(executable): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
