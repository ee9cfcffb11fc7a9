import Foundation

/// The whole contents of a file, or an error that says why it cannot be read.
func readFileBytes(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw FormatError("no such file")
    }
    guard !isDirectory.boolValue else { throw FormatError("is a folder, not a file") }
    guard let data = FileManager.default.contents(atPath: path) else { throw FormatError("cannot read the file") }
    return [UInt8](data)
}

/// Writes bytes to a temporary file beside `path`, then renames it over `path`: never a partly written file.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temp = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
        try Data(bytes).write(to: temp)
        // rename(2) replaces the target in one step.
        guard rename(temp.path, url.path) == 0 else {
            throw FormatError("cannot rename the temporary file into place (errno \(errno))")
        }
    } catch {
        try? FileManager.default.removeItem(at: temp)
        throw FormatError("cannot write: \(error.localizedDescription)")
    }
}
