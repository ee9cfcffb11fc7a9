/// The header of a `.npy` file: a Python dict literal with `descr`, `fortran_order` and `shape`.
struct NPYHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// A value of the small Python literal subset that npy headers use.
    private enum Literal: Equatable {
        case string(String), bool(Bool), int(Int), tuple([Literal]), dict([(String, Literal)])

        static func == (a: Literal, b: Literal) -> Bool {
            switch (a, b) {
            case (.string(let x), .string(let y)): x == y
            case (.bool(let x), .bool(let y)): x == y
            case (.int(let x), .int(let y)): x == y
            case (.tuple(let x), .tuple(let y)): x == y
            default: false
            }
        }
    }

    /// Parses the header text; `offset` is where the text starts in the file, for error messages.
    init(parsing text: String, offset: Int) throws {
        var parser = Parser(chars: Array(text.utf8), base: offset)
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.atEnd else { throw parser.error("unexpected text after the header dict") }
        guard case .dict(let entries) = value else { throw FormatError("npy header at byte \(offset) is not a dict") }
        var descr: String?, fortran: Bool?, shape: [Int]?
        for (key, v) in entries {
            switch (key, v) {
            case ("descr", .string(let s)): descr = s
            case ("fortran_order", .bool(let b)): fortran = b
            case ("shape", .tuple(let dims)):
                shape = try dims.map { d in
                    guard case .int(let n) = d, n >= 0 else { throw FormatError("npy header shape has a dimension that is not a count: \(dims)") }
                    return n
                }
            default: throw FormatError("npy header has an unexpected entry \"\(key)\"")
            }
        }
        guard let descr, let fortran, let shape else {
            throw FormatError("npy header at byte \(offset) lacks descr, fortran_order or shape")
        }
        self.descr = descr
        self.fortranOrder = fortran
        self.shape = shape
    }

    init(descr: String, fortranOrder: Bool, shape: [Int]) {
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    /// The dict literal as numpy writes it.
    var text: String {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        return "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(dims), }"
    }

    private struct Parser {
        let chars: [UInt8]
        let base: Int
        var i = 0

        var atEnd: Bool { i >= chars.count }

        func error(_ what: String) -> FormatError { FormatError("npy header: \(what) at byte \(base + i)") }

        mutating func skipSpace() {
            while i < chars.count, chars[i] == 0x20 || chars[i] == 0x0a || chars[i] == 0x09 || chars[i] == 0x0d { i += 1 }
        }

        mutating func expect(_ c: Character) throws {
            skipSpace()
            guard i < chars.count, chars[i] == c.asciiValue else { throw error("expected '\(c)'") }
            i += 1
        }

        /// Consumes `c` if it comes next.
        mutating func take(_ c: Character) -> Bool {
            skipSpace()
            if i < chars.count, chars[i] == c.asciiValue { i += 1; return true }
            return false
        }

        mutating func parseValue(depth: Int) throws -> Literal {
            guard depth < 4 else { throw error("nesting too deep") }
            skipSpace()
            guard i < chars.count else { throw error("unexpected end") }
            switch chars[i] {
            case UInt8(ascii: "{"):
                i += 1
                var entries: [(String, Literal)] = []
                while !take("}") {
                    guard case .string(let key) = try parseValue(depth: depth + 1) else { throw error("dict key is not a string") }
                    try expect(":")
                    entries.append((key, try parseValue(depth: depth + 1)))
                    if !take(",") { try expect("}"); break }
                }
                return .dict(entries)
            case UInt8(ascii: "("):
                i += 1
                var items: [Literal] = []
                while !take(")") {
                    items.append(try parseValue(depth: depth + 1))
                    if !take(",") { try expect(")"); break }
                }
                return .tuple(items)
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                let quote = chars[i]
                i += 1
                let start = i
                while i < chars.count, chars[i] != quote { i += 1 }
                guard i < chars.count else { throw error("unterminated string") }
                let s = String(decoding: chars[start..<i], as: UTF8.self)
                i += 1
                return .string(s)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                var n = 0
                while i < chars.count, chars[i] >= UInt8(ascii: "0"), chars[i] <= UInt8(ascii: "9") {
                    let (m, o1) = n.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int(chars[i] - UInt8(ascii: "0")))
                    guard !o1, !o2 else { throw error("number too large") }
                    n = a
                    i += 1
                }
                // Python 2 era files may write long integers as `3L`.
                if i < chars.count, chars[i] == UInt8(ascii: "L") { i += 1 }
                return .int(n)
            default:
                for (word, value) in [("True", true), ("False", false)] where chars[i...].starts(with: word.utf8) {
                    i += word.utf8.count
                    return .bool(value)
                }
                throw error("unexpected character '\(Character(Unicode.Scalar(chars[i])))'")
            }
        }
    }
}
