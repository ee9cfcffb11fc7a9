/// A weight dump that does not fit an architecture: which key, what was expected and what was found.
///
/// The message leaves out the file name, which the caller adds (`octet: error: w.pth: <message>`).
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension Array where Element == Int {
    /// `[128, 64, 3, 3]`, the way the messages print shapes.
    var shapeText: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}
