/// A bad command line: the CLI prints the message and the command's usage, then exits with 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// The arguments of one command, consumed as the command reads them; leftovers are an error.
///
/// Options are `--name value` or `--name=value`; flags are `--name`; everything else is positional.
/// Reading by declaration keeps each command's flags next to the code that uses them.
struct Arguments {
    private var tokens: [String?]
    private(set) var helpRequested = false

    init(_ argv: [String]) {
        tokens = argv
        if let i = tokens.firstIndex(where: { $0 == "--help" || $0 == "-h" }) {
            helpRequested = true
            tokens[i] = nil
        }
    }

    /// The value of `--name V` (or `-short V`); nil when absent. Given twice is an error.
    mutating func option(_ name: String, short: String? = nil) throws(UsageError) -> String? {
        let values = try options(name, short: short)
        guard values.count <= 1 else { throw UsageError("--\(name) given more than once") }
        return values.first
    }

    /// Every value of a repeatable option, in order.
    mutating func options(_ name: String, short: String? = nil) throws(UsageError) -> [String] {
        var values: [String] = []
        var i = 0
        while i < tokens.count {
            guard let token = tokens[i] else { i += 1; continue }
            if token.hasPrefix("--\(name)=") {
                values.append(String(token.dropFirst(name.count + 3)))
                tokens[i] = nil
            } else if token == "--\(name)" || (short.map { token == "-\($0)" } ?? false) {
                guard i + 1 < tokens.count, let value = tokens[i + 1] else {
                    throw UsageError("\(token) needs a value")
                }
                values.append(value)
                tokens[i] = nil
                tokens[i + 1] = nil
                i += 1
            }
            i += 1
        }
        return values
    }

    /// Whether the flag `--name` is present.
    mutating func flag(_ name: String) -> Bool {
        guard let i = tokens.firstIndex(where: { $0 == "--\(name)" }) else { return false }
        tokens[i] = nil
        return true
    }

    mutating func int(_ name: String, default value: Int, range: ClosedRange<Int> = 1...Int.max) throws(UsageError) -> Int {
        guard let text = try option(name) else { return value }
        guard let v = Int(text), range.contains(v) else {
            throw UsageError("--\(name) expects an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return v
    }

    mutating func double(_ name: String) throws(UsageError) -> Double? {
        guard let text = try option(name) else { return nil }
        guard let v = Double(text), v.isFinite else { throw UsageError("--\(name) expects a number, got '\(text)'") }
        return v
    }

    /// A choice among an enum's raw values.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T) throws(UsageError) -> T
    where T.RawValue == String {
        guard let text = try option(name) else { return value }
        guard let v = T(rawValue: text) else {
            let all = T.allCases.map(\.rawValue).joined(separator: "|")
            throw UsageError("--\(name) must be one of \(all), got '\(text)'")
        }
        return v
    }

    /// The remaining positional arguments; call after reading every option and flag.
    mutating func positionals() throws(UsageError) -> [String] {
        var out: [String] = []
        for token in tokens.compactMap({ $0 }) {
            if token.hasPrefix("-") && token.count > 1 && Double(token) == nil {
                throw UsageError("unknown option \(token)")
            }
            out.append(token)
        }
        tokens = []
        return out
    }
}
