import Foundation

/// Compiled kernels on disk, one cubin per source file and GPU architecture, under the user's cache folder.
/// The key covers everything that changes the cubin: the source, every header beside it, the architecture,
/// nvcc's version and the flags; a changed kernel is recompiled, an unchanged one loads in milliseconds.
public struct KernelCache: Sendable {
    public let directory: String

    /// `OCTET_CACHE/kernels`, else `XDG_CACHE_HOME/octet/kernels`, else `~/.cache/octet/kernels`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let v = environment["OCTET_CACHE"], !v.isEmpty { return v + "/kernels" }
        if let v = environment["XDG_CACHE_HOME"], !v.isEmpty { return v + "/octet/kernels" }
        return (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/octet/kernels"
    }

    public init(directory: String = KernelCache.defaultDirectory()) { self.directory = directory }

    /// The cache file name for `source` (its text and the headers' texts given), e.g. `conv_int8-sm_90-1f2e….cubin`.
    public static func fileName(source: String, text: String, headers: [String], architecture: String,
                                nvccVersion: String) -> String {
        var hash = StableHash()
        hash.add(text)
        for h in headers { hash.add(h) }
        hash.add(architecture)
        hash.add(nvccVersion)
        hash.add(NVCC.flags(architecture: architecture).joined(separator: " "))
        let stem = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        return "\(stem)-\(architecture)-\(hash.hex).cubin"
    }

    /// The cubin of `file` in `sources` for `architecture`: read from the cache, or compiled and stored there.
    func cubin(_ file: String, in sources: KernelSources, architecture: String, nvcc: () throws(CUDAError) -> NVCC)
        throws(CUDAError) -> Data {
        let source = sources.directory + "/" + file
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
            throw .kernelsMissing("cannot read \(source)")
        }
        let headers = ((try? FileManager.default.contentsOfDirectory(atPath: sources.directory)) ?? [])
            .filter { $0.hasSuffix(".cuh") || $0.hasSuffix(".h") }.sorted()
            .map { (try? String(contentsOfFile: sources.directory + "/" + $0, encoding: .utf8)) ?? "" }
        let compiler = try nvcc()
        let path = directory + "/" + Self.fileName(source: file, text: text, headers: headers, architecture: architecture,
                                                   nvccVersion: compiler.version)
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty { return data }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .kernelsMissing("cannot create the kernel cache \(directory): \(error)")
        }
        // Compiled beside its final name and renamed: another process reading the cache never sees half a file.
        let temporary = path + ".\(getpid()).tmp"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try compiler.compile(source: source, output: temporary, architecture: architecture,
                             includeDirectory: sources.directory)
        guard let data = FileManager.default.contents(atPath: temporary), !data.isEmpty else {
            throw .compileFailed(kernel: file, output: "nvcc wrote no cubin")
        }
        _ = rename(temporary, path)
        return data
    }
}

/// 128-bit FNV-1a over length-prefixed strings: stable across runs and machines (Swift's `Hasher` is seeded
/// per process), which a file name in a cache needs. Not cryptographic; a cache key needs no more.
struct StableHash {
    private var low: UInt64 = 0xcbf2_9ce4_8422_2325
    private var high: UInt64 = 0x6c62_272e_07bb_0142

    mutating func add(_ text: String) {
        let bytes = Array(text.utf8)
        var length = UInt64(bytes.count)
        for _ in 0..<8 { mix(UInt8(truncatingIfNeeded: length)); length >>= 8 }
        for b in bytes { mix(b) }
    }

    private mutating func mix(_ byte: UInt8) {
        low = (low ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        high = (high ^ UInt64(byte) ^ (low >> 29)) &* 0x0000_0100_0000_01b3
    }

    var hex: String {
        func padded(_ v: UInt64) -> String {
            let digits = String(v, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return padded(low) + padded(high)
    }
}
