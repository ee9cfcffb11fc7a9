/// Errors raised by graph construction, shape inference and the verifier. Messages name the node.
public enum IRError: Error, Sendable, Equatable, CustomStringConvertible {
    case shapeMismatch(String)
    case invalidGraph(String)
    case unsupported(String)
    case invalidAttribute(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let m), .invalidGraph(let m), .unsupported(let m), .invalidAttribute(let m): m
        }
    }
}
