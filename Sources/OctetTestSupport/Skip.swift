import Foundation

/// Skipping a test whose data is absent. A user's clone may lack the fetched data (`.cache/`), so there the
/// test prints a SKIPPED line and passes. CI sets `OCTET_STRICT=1`, where
/// every such file must be present: a skip for missing data becomes an error that fails the test, so CI
/// cannot go green on tests that never ran. Skips for hardware or tools the machine lacks are not data
/// and stay skips (they print their own SKIPPED line).
public enum Skip {
    public struct MissingData: Error, CustomStringConvertible {
        public let message: String
        public var description: String { "strict mode (OCTET_STRICT=1): \(message)" }
    }

    public static var strict: Bool { ProcessInfo.processInfo.environment["OCTET_STRICT"] == "1" }

    /// Prints `SKIPPED: message`, or throws `MissingData` in strict mode; callers return after it.
    public static func missingData(_ message: String) throws {
        if strict { throw MissingData(message: message) }
        print("SKIPPED: \(message)")
    }
}
