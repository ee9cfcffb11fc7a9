import Foundation

/// Where the tests find the package, its fixtures and the download cache.
public enum Paths {
    /// The package root, found from this file's location (Sources/OctetTestSupport/Paths.swift).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func fixture(_ relative: String) -> URL { root.appendingPathComponent("Fixtures/" + relative) }

    /// The ignored download cache filled by `Scripts/fetch-*.sh`.
    public static func cache(_ relative: String) -> URL { root.appendingPathComponent(".cache/" + relative) }

    public static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// The `octet` executable built beside the running test bundle (same configuration).
    public static var octetBinary: URL {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = here.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("octet")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/release/octet")
    }
}
