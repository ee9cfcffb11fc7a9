import OctetIR

/// A set of tensors that convolutions write and read with nothing nonlinear in between: the residual stream
/// of an inverted-residual stage (MobileNetV2, EfficientNet-Lite), where a projection conv with no
/// activation writes each block's output and `Add`s join them. Scaling channel `c` of every tensor in the
/// stream by `1 / s[c]` is exact in float when every producer's output channel `c` (weights and bias) is
/// divided by `s[c]` and every consumer's input channel `c` is multiplied by it:
///
///     y = W2 · x = (W2 · diag(s)) · (diag(1/s) · x),   diag(1/s) · (W1 · u + b) = (diag(1/s) W1) · u + b / s
///
/// and `Add` commutes with the scaling. One scale per tensor then covers channels whose ranges differed.
public struct LinearStream: Sendable, Equatable {
    /// The tensors of the stream, sorted; the first names the stream in scale files.
    public var tensors: [String]
    /// Indices of the convolutions that write a stream tensor (their output channels are the stream's).
    public var producers: [Int]
    /// Indices of the ungrouped convolutions that read one (their input channels are the stream's).
    public var consumers: [Int]
    public var channels: Int

    public var name: String { tensors[0] }

    public init(tensors: [String], producers: [Int], consumers: [Int], channels: Int) {
        self.tensors = tensors
        self.producers = producers
        self.consumers = consumers
        self.channels = channels
    }

    /// Every stream of `graph` that can be scaled exactly. A candidate is dropped when any tensor of it is a
    /// graph output or is read by anything but an `Add` inside it or an ungrouped convolution's data input,
    /// when it is written by anything but a convolution or such an `Add`, or when a weight or bias is not a
    /// float initializer of the expected shape used by that one node only.
    public static func find(in graph: Graph) -> [LinearStream] {
        let producers = graph.producers, consumers = graph.consumers
        let outputs = Set(graph.outputs.map(\.name))
        var visited = Set<String>()
        var streams: [LinearStream] = []
        for node in graph.nodes {
            guard case .conv = node.op, let start = node.outputs.first, !visited.contains(start) else { continue }
            // The tensors joined to `start` through Adds, in either direction.
            var members: Set<String> = [start]
            var stack = [start]
            while let t = stack.popLast() {
                var neighbours: [String] = []
                for i in consumers[t] ?? [] where graph.nodes[i].op == .binary(.add) {
                    neighbours += graph.nodes[i].inputs + graph.nodes[i].outputs
                }
                if let p = producers[t], graph.nodes[p].op == .binary(.add) { neighbours += graph.nodes[p].inputs }
                for n in neighbours where !n.isEmpty && members.insert(n).inserted { stack.append(n) }
            }
            visited.formUnion(members)
            if let stream = check(members, graph: graph, producers: producers, consumers: consumers,
                                  outputs: outputs) {
                streams.append(stream)
            }
        }
        return streams
    }

    private static func check(_ members: Set<String>, graph: Graph, producers: [String: Int],
                              consumers: [String: [Int]], outputs: Set<String>)
        -> LinearStream? {
        var convsIn: [Int] = [], convsOut: [Int] = []
        var channels: Int?
        func agree(_ c: Int) -> Bool {
            if channels == nil { channels = c }
            return channels == c
        }
        // A weight or bias this node alone reads, float, with the stream's channels on `axis`.
        func ownFloat(_ name: String?, axis: Int, rank: ClosedRange<Int>) -> Bool {
            guard let name, let t = graph.initializers[name], t.dtype == .f32, consumers[name]?.count == 1,
                  rank.contains(t.rank), axis < t.rank else { return false }
            return agree(t.shape[axis])
        }
        for t in members {
            guard !outputs.contains(t), !graph.initializers.keys.contains(t), let p = producers[t] else { return nil }
            let writer = graph.nodes[p]
            switch writer.op {
            case .binary(.add):
                guard members.contains(writer.outputs[0]) else { return nil }
            case .conv:
                guard writer.outputs.count == 1, ownFloat(writer.input(1), axis: 0, rank: 3...5) else { return nil }
                if let b = writer.input(2), !ownFloat(b, axis: 0, rank: 1...1) { return nil }
                convsOut.append(p)
            default:
                return nil
            }
            for c in consumers[t] ?? [] {
                let reader = graph.nodes[c]
                switch reader.op {
                case .binary(.add) where members.contains(reader.outputs[0]):
                    continue
                case .conv(let a) where a.group == 1 && reader.inputs.firstIndex(of: t) == 0
                    && reader.inputs.lastIndex(of: t) == 0:
                    guard ownFloat(reader.input(1), axis: 1, rank: 3...5) else { return nil }
                    convsIn.append(c)
                default:
                    return nil
                }
            }
        }
        guard let channels, channels > 1, !convsOut.isEmpty, !convsIn.isEmpty else { return nil }
        return LinearStream(tensors: members.sorted(), producers: Array(Set(convsOut)).sorted(),
                            consumers: Array(Set(convsIn)).sorted(), channels: channels)
    }
}
