import OctetFormats
import OctetIR

/// Finds how a checkpoint's keys wrap an architecture's keys, and unwraps them.
///
/// Real checkpoints rarely hold a bare state_dict: `nn.DataParallel` adds `module.`, detection and
/// training code add `backbone.` or `model.`, and training checkpoints nest the dict under `state_dict`
/// or `model` beside an optimizer (the reader flattens that to `state_dict.conv1.weight`).
public struct KeyPrefix: Sendable, Equatable {
    /// What is stripped from every key that is kept (`""` when the keys already match).
    public var prefix: String
    /// How many entries lay outside `prefix` and were left out (an optimizer's state, say).
    public var leftOut: Int

    public init(prefix: String, leftOut: Int) {
        self.prefix = prefix
        self.leftOut = leftOut
    }

    /// Container entries whose siblings (optimizer state, epoch, ...) are not part of the model.
    public static let containers: Set<String> = ["state_dict", "model", "model_state_dict", "net"]

    /// The prefix that makes most of `expected` keys appear in `weights`; the shortest one on a tie.
    ///
    /// An explicit `prefix` is used as given (a missing trailing dot is added). Entries outside an
    /// inferred prefix are left out only when it starts with a container name; otherwise they stay, so
    /// the key check reports them as unused rather than silently dropping weights.
    public static func resolve(_ weights: StateDict, expected: [String], explicit: String? = nil) throws -> KeyPrefix {
        if let explicit {
            let prefix = explicit.isEmpty || explicit.hasSuffix(".") ? explicit : explicit + "."
            let inside = weights.keys.filter { $0.hasPrefix(prefix) }.count
            guard inside > 0 else { throw ModelError("no key starts with the prefix \"\(prefix)\"") }
            return KeyPrefix(prefix: prefix, leftOut: weights.count - inside)
        }
        let present = Set(weights.keys)
        var candidates: Set<String> = []
        for key in expected {
            for candidate in weights.keys where candidate.count > key.count && candidate.hasSuffix(key) {
                let prefix = String(candidate.dropLast(key.count))
                if prefix.hasSuffix(".") { candidates.insert(prefix) }
            }
        }
        // Score each candidate by how many expected keys it completes, not just the anchor that found it.
        var best = KeyPrefix(prefix: "", leftOut: 0)
        var bestScore = expected.filter { present.contains($0) }.count
        for prefix in candidates.sorted(by: { ($0.count, $0) < ($1.count, $1) }) {
            let score = expected.filter { present.contains(prefix + $0) }.count
            if score > bestScore {
                best = KeyPrefix(prefix: prefix, leftOut: 0)
                bestScore = score
            }
        }
        guard !best.prefix.isEmpty else { return best }
        let first = best.prefix.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        if containers.contains(first) {
            best.leftOut = weights.keys.filter { !$0.hasPrefix(best.prefix) }.count
        }
        return best
    }

    /// The entries under `prefix` with it removed; with nothing left out, entries outside stay as they are.
    public func apply(to weights: StateDict) -> StateDict {
        guard !prefix.isEmpty else { return weights }
        if leftOut > 0 { return weights.strippingPrefix(prefix) }
        return StateDict(entries: weights.entries.map { entry in
            entry.key.hasPrefix(prefix) ? (String(entry.key.dropFirst(prefix.count)), entry.tensor) : entry
        }, notes: weights.notes)
    }
}
