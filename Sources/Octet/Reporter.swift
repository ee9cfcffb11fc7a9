/// Where the library's messages and progress go. The CLI prints them on stderr; the C API drops them or
/// hands progress to the caller's callback. The library itself never prints.
public struct Reporter: Sendable {
    /// How a message reads: plain information ("calibrated 52 tensors"), a note about the input, or a warning.
    public enum Level: String, Sendable {
        case info, note, warning
    }

    /// Work done so far in one stage ("calibrating", "evaluating"): `done` of `total` images (0 when unknown).
    /// A stage ends with one report whose `finished` is true.
    public struct Progress: Sendable {
        public var stage: String
        public var done: Int
        public var total: Int
        public var finished: Bool
    }

    public var message: @Sendable (Level, String) -> Void
    public var progress: @Sendable (Progress) -> Void

    public init(message: @escaping @Sendable (Level, String) -> Void = { _, _ in },
                progress: @escaping @Sendable (Progress) -> Void = { _ in }) {
        self.message = message
        self.progress = progress
    }

    public static let silent = Reporter()

    func info(_ text: String) { message(.info, text) }
    func note(_ text: String) { message(.note, text) }
    func warning(_ text: String) { message(.warning, text) }

    public func progress(_ stage: String, done: Int, total: Int?, finished: Bool = false) {
        progress(Progress(stage: stage, done: done, total: total ?? 0, finished: finished))
    }
}
