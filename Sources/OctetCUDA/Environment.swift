import Foundation

/// The environment variables the CUDA target reads, in one place so their names are easy to find.
enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }
}
