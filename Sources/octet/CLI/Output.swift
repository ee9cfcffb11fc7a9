import Foundation

/// Writes to standard error without buffering, so progress and errors interleave correctly with stdout.
func printError(_ text: String, terminator: String = "\n") {
    // stdout is block-buffered when piped; flush it first so the two streams keep their order.
    fflush(nil)
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

/// Writes a file atomically: a temporary name beside the target, then a rename, so no half-written output exists.
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    do {
        try Data(bytes).write(to: url, options: .atomic)
    } catch {
        throw InputError(path, "cannot write: \(error.localizedDescription)")
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second; silent when stderr is not a terminal.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let interactive = isatty(2) != 0
    private var lastDraw = Date.distantPast
    private let start = Date()
    private let lock = NSLock()

    init(_ label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
    }

    func update(_ done: Int, note: String = "") {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard interactive, done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let fraction = min(Double(done) / Double(total), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = Double(done) / max(now.timeIntervalSince(start), 1e-9)
        let line = String(format: "\r%@ [%@] %d/%d %.1f/s %@", label, bar, done, total, rate, note)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard interactive else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
