/// Why quantization cannot go on; messages name the tensor, node or flag.
public struct QuantError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
