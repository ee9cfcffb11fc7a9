/// A failure the user can fix by changing an input file or argument: the CLI prints it as
/// `octet: error: FILE: message` (exit 1), the C API returns it as a status and message.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var file: String?
    public var message: String

    public init(_ file: String?, _ message: String) {
        self.file = file
        self.message = message
    }

    public init(_ file: String?, _ error: any Error) {
        self.file = file
        self.message = String(describing: error)
    }

    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
