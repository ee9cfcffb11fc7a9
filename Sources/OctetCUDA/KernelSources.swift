import Foundation

/// The `Kernels/` folder: found without flags, so a binary copied to a GPU machine with the folder beside it
/// just works. Its `.cu` files are indexed by the kernels they define, so a kernel's file is compiled only
/// when a model needs it.
public struct KernelSources: Sendable {
    public let directory: String
    /// Kernel name → the `.cu` file (name only) that defines it.
    public let files: [String: String]
    /// Kernel name → the C types of its parameters, read from its signature: every launch is checked
    /// against them, so a host and a kernel that disagree fail with a message instead of a wild pointer.
    public let parameters: [String: [KernelParameter]]

    /// Looks in order: `OCTET_KERNELS`; `Kernels` beside the executable; `share/octet/Kernels` beside its
    /// folder; a `Kernels` folder in any folder above the executable that also holds `Package.swift` (a
    /// build inside the package); the current folder's `Kernels`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String? = Self.executablePath(),
                              currentDirectory: String = FileManager.default.currentDirectoryPath) throws(CUDAError) -> String {
        let fm = FileManager.default
        func hasKernels(_ dir: String) -> Bool {
            ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).contains { $0.hasSuffix(".cu") }
        }
        if let explicit = environment["OCTET_KERNELS"], !explicit.isEmpty {
            guard hasKernels(explicit) else { throw .kernelsMissing("OCTET_KERNELS is \(explicit), which holds no .cu file") }
            return explicit
        }
        var candidates: [String] = []
        if let executable {
            let dir = (executable as NSString).deletingLastPathComponent
            candidates += [dir + "/Kernels", (dir as NSString).deletingLastPathComponent + "/share/octet/Kernels"]
            var up = dir
            while up != "/" && !up.isEmpty {
                if fm.fileExists(atPath: up + "/Package.swift") { candidates.append(up + "/Kernels") }
                up = (up as NSString).deletingLastPathComponent
            }
        }
        candidates.append(currentDirectory + "/Kernels")
        if let found = candidates.first(where: hasKernels) { return found }
        throw .kernelsMissing("looked in \(candidates.joined(separator: ", ")); set OCTET_KERNELS to the Kernels folder")
    }

    public static func executablePath() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first
    }

    public init(directory: String) throws(CUDAError) {
        self.directory = directory
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .kernelsMissing("cannot list \(directory): \(error)")
        }
        var files: [String: String] = [:], parameters: [String: [KernelParameter]] = [:]
        for name in names.sorted() where name.hasSuffix(".cu") {
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { continue }
            for kernel in try Self.kernels(in: text, file: name) {
                files[kernel.name] = name
                parameters[kernel.name] = kernel.parameters
            }
        }
        self.files = files
        self.parameters = parameters
    }

    /// The `extern "C" __global__` functions a source defines (the only ones the runtime can look up by
    /// name) and their parameter types.
    static func kernels(in source: String, file: String) throws(CUDAError) -> [(name: String, parameters: [KernelParameter])] {
        var found: [(String, [KernelParameter])] = []
        let code = source.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "//").map { line[..<$0.lowerBound] } ?? line }.joined(separator: "\n")
        var rest = Substring(code)
        while let marker = rest.range(of: "extern \"C\" __global__") {
            rest = rest[marker.upperBound...]
            guard let open = rest.firstIndex(of: "("), let close = rest[open...].firstIndex(of: ")") else { break }
            // The name is the identifier right before the "(" that follows the return type.
            let head = rest[..<open].trimmingCharacters(in: .whitespacesAndNewlines)
            guard let name = head.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).last else { break }
            var parameters: [KernelParameter] = []
            let list = String(rest[rest.index(after: open)..<close])
                .replacingOccurrences(of: "/\\*.*?\\*/", with: "", options: .regularExpression)
                .replacingOccurrences(of: "\n", with: " ")
            for declaration in list.split(separator: ",") {
                let text = String(declaration)
                guard let p = KernelParameter(declaration: text) else {
                    throw .kernelsMissing("\(file): \(name) has a parameter \"\(text.trimmingCharacters(in: .whitespaces))\" "
                                          + "of a type the runtime cannot pass")
                }
                parameters.append(p)
            }
            found.append((String(name), parameters))
            rest = rest[close...]
        }
        return found
    }
}

/// The C type of a kernel parameter, as far as passing it goes.
public enum KernelParameter: String, Sendable, Equatable {
    case int32 = "int", int64 = "long long", float, pointer = "pointer"

    /// From a declaration such as `const unsigned char* x` or `long long n` (comments stripped by the caller).
    init?(declaration: String) {
        let d = declaration.trimmingCharacters(in: .whitespaces)
        if d.contains("*") { self = .pointer }
        else if d.contains("long long") { self = .int64 }
        else if d.hasPrefix("float ") || d.hasPrefix("const float ") { self = .float }
        else if d.hasPrefix("int ") || d.hasPrefix("const int ") { self = .int32 }
        else { return nil }
    }

    /// Whether `argument` is passed as this parameter expects.
    func accepts(_ argument: KernelArgument) -> Bool {
        switch (self, argument) {
        case (.int32, .int32), (.int64, .int64), (.float, .float), (.pointer, .pointer): true
        default: false
        }
    }
}
