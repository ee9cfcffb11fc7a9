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
