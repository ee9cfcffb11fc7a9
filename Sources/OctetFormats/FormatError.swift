/// A file that cannot be read: what is wrong and where (byte offset, node, tensor), without the file name,
/// which the caller adds (`octet: error: model.onnx: <description>`).
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
