import Foundation
import Octet

/// Writes to standard error without buffering, so progress and errors interleave correctly with stdout.
func printError(_ text: String, terminator: String = "\n") {
    // stdout is block-buffered when piped; flush it first so the two streams keep their order.
    fflush(nil)
    FileHandle.standardError.write(Data((text + terminator).utf8))
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

extension Reporter {
    /// Messages as `octet: [note: |warning: ]text` on stderr, progress as a bar per stage.
    static let cli = Reporter(message: { level, text in
        printError("octet: " + (level == .info ? "" : "\(level.rawValue): ") + text)
    }, progress: { ProgressBars.shared.show($0) })
}

/// The bar of the stage in progress: a new stage starts a new bar, a finished one ends its line.
private final class ProgressBars: @unchecked Sendable {
    static let shared = ProgressBars()
    private let lock = NSLock()
    private var stage: String?
    private var bar: ProgressBar?

    func show(_ p: Reporter.Progress) {
        lock.lock()
        defer { lock.unlock() }
        if stage != p.stage || bar == nil {
            bar?.finish()
            stage = p.stage
            bar = ProgressBar(p.stage, total: p.total)
        }
        bar?.update(p.done)
        if p.finished {
            bar?.finish()
            bar = nil
            stage = nil
        }
    }
}
