/// One `octet` subcommand: its help text, how it reads its arguments, and what it does.
protocol Command {
    static var name: String { get }
    /// One line for `octet --help`.
    static var summary: String { get }
    /// The full `octet NAME --help` text, starting with the usage line.
    static var help: String { get }
    init(parsing arguments: inout Arguments) throws(UsageError)
    func run() throws
}

/// A failure the user can fix by changing an input file: printed as `octet: error: FILE: message`, exit 1.
struct InputError: Error, CustomStringConvertible {
    var file: String?
    var message: String

    init(_ file: String?, _ message: String) {
        self.file = file
        self.message = message
    }

    init(_ file: String?, _ error: any Error) {
        self.file = file
        self.message = String(describing: error)
    }

    var description: String { file.map { "\($0): \(message)" } ?? message }
}
