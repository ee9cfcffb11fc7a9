import Foundation
@testable import OctetCUDA

/// Octet's CUDA kernels compiled as C++ for this machine and called through a generated dispatcher: the
/// real kernel sources and the real host lowering run end to end without a GPU, so a wrong argument, a
/// wrong index or an integer rule that differs from the CPU shows up in a test here. What it cannot show:
/// anything about the GPU itself (other threads, memory model, the driver).
final class HostKernelEmulator: @unchecked Sendable {
    typealias Launch = @convention(c) (UnsafePointer<CChar>, UnsafePointer<UInt64>, Int32) -> Int32
    let sources: KernelSources
    private let handle: UnsafeMutableRawPointer
    private let launchFunction: Launch

    /// The one emulator per test process (building it takes a few seconds).
    nonisolated(unsafe) private static var shared: Result<HostKernelEmulator, EmulatorUnavailable>?
    private static let lock = NSLock()

    /// Why there is no emulator: a missing compiler is a skip; kernels that do not build are a failure.
    struct EmulatorUnavailable: Error, CustomStringConvertible {
        let description: String
        var isFailure = false
    }

    static func make() throws -> HostKernelEmulator {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return try shared.get() }
        let result = Result { () throws(EmulatorUnavailable) -> HostKernelEmulator in try build() }
        shared = result
        return try result.get()
    }

    static var packageRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent() }

    /// A C++ compiler: `OCTET_CXX`, else the one beside `swift` (always there where the tests build), else PATH.
    static func compiler() -> String? {
        if let v = ProcessInfo.processInfo.environment["OCTET_CXX"], !v.isEmpty { return v }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            for name in ["clang++", "c++", "g++"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    private static func build() throws(EmulatorUnavailable) -> HostKernelEmulator {
        let kernels = packageRoot.appendingPathComponent("Kernels").path
        let sources: KernelSources
        do { sources = try KernelSources(directory: kernels) } catch { throw EmulatorUnavailable(description: "\(error)") }
        guard let cxx = compiler() else { throw EmulatorUnavailable(description: "no C++ compiler (set OCTET_CXX)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-emulator-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let dispatcher = dir.appendingPathComponent("dispatch.cpp")
        let library = dir.appendingPathComponent("libkernels.so")
        do { try dispatcherSource(sources).write(to: dispatcher, atomically: true, encoding: .utf8) } catch {
            throw EmulatorUnavailable(description: "cannot write \(dispatcher.path): \(error)")
        }
        let header = packageRoot.appendingPathComponent("Tests/OctetCUDATests/Emulation/cuda_host_emulation.h").path
        let files = Set(sources.files.values).sorted().map { kernels + "/" + $0 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cxx)
        process.arguments = ["-std=c++17", "-O1", "-ffp-contract=off", "-fPIC", "-shared", "-w", "-include", header,
                             "-I", kernels, "-x", "c++"] + files + [dispatcher.path, "-o", library.path]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        do { try process.run() } catch { throw EmulatorUnavailable(description: "cannot run \(cxx): \(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EmulatorUnavailable(description: "the kernels do not build for host emulation:\n\(output)", isFailure: true)
        }
        guard let handle = dlopen(library.path, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "octet_emulate_launch") else {
            throw EmulatorUnavailable(description: "cannot load \(library.path): \(String(cString: dlerror()))")
        }
        return HostKernelEmulator(sources: sources, handle: handle, launch: unsafeBitCast(symbol, to: Launch.self))
    }

    private init(sources: KernelSources, handle: UnsafeMutableRawPointer, launch: Launch) {
        self.sources = sources
        self.handle = handle
        launchFunction = launch
    }

    /// A C++ switch over every kernel, casting each 64-bit slot to the parameter's type.
    static func dispatcherSource(_ sources: KernelSources) -> String {
        var text = """
            #include <cstdint>
            #include <cstring>
            static float octet_float(uint64_t v) { uint32_t b = (uint32_t)v; float f; std::memcpy(&f, &b, 4); return f; }

            """
        // The kernels' own declarations are in other translation units; calling through these prototypes,
        // with void* for every pointer, works because every pointer is passed the same way on this ABI.
        for name in sources.parameters.keys.sorted() {
            text += "extern \"C\" void \(name)(" + sources.parameters[name]!.map { p -> String in
                switch p {
                case .int32: "int"
                case .int64: "long long"
                case .float: "float"
                case .pointer: "void*"
                }
            }.joined(separator: ", ") + ");\n"
        }
        text += "extern \"C\" int octet_emulate_launch(const char* name, const uint64_t* a, int count) {\n"
        for name in sources.parameters.keys.sorted() {
            let ps = sources.parameters[name]!
            let args = ps.enumerated().map { i, p -> String in
                switch p {
                case .int32: "(int)(int64_t)a[\(i)]"
                case .int64: "(long long)a[\(i)]"
                case .float: "octet_float(a[\(i)])"
                case .pointer: "(void*)(uintptr_t)a[\(i)]"
                }
            }.joined(separator: ", ")
            text += "    if (!std::strcmp(name, \"\(name)\")) { if (count != \(ps.count)) return -2; \(name)(\(args)); return 0; }\n"
        }
        text += "    return -1;\n}\n"
        return text
    }

    /// Runs one kernel to completion on this thread.
    func launch(_ kernel: String, _ arguments: [KernelArgument]) throws {
        let slots = arguments.map { a -> UInt64 in
            switch a {
            case .int32(let v): UInt64(bitPattern: Int64(v))
            case .int64(let v): UInt64(bitPattern: v)
            case .float(let v): UInt64(v.bitPattern)
            case .pointer(let v): v
            }
        }
        let status = kernel.withCString { name in slots.withUnsafeBufferPointer { launchFunction(name, $0.baseAddress!, Int32(slots.count)) } }
        if status != 0 { throw EmulatorUnavailable(description: "\(kernel): dispatcher status \(status)") }
    }
}
