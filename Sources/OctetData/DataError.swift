/// A data file that cannot be read: what is wrong and where (record, byte offset), without the file
/// name, which the caller adds.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
