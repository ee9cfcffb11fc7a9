import OctetIR

/// Evens out the channel ranges of each linear stream before calibration (`--equalize`), so that one scale
/// per tensor fits all its channels better. Exact in float (see `LinearStream`); the cost moves to the
/// consumers' weights, whose scales are per output channel, so a channel scaled up in the stream loses
/// weight precision in the layers reading it. The square root splits the range ratio between the two,
/// as cross-layer equalization does: on MobileNetV2 (calibrated on 50 photos, logit SQNR on 950 views of
/// 50 others) the exponents 0.25, 0.5, 0.75 and 1 gave 19.8, 20.0, 19.7 and 15.1 dB, against 18.4 without.
public enum StreamEqualization {
    /// The smallest factor: a channel quiet on the calibration images is scaled up at most 4x, in case it
    /// is loud on others (the floor changed nothing measurable between 1/64 and 1/4).
    public static let minimumFactor: Float = 0.25

    /// Channel `c` of the stream is divided by `factors[c]`: `sqrt(r[c] / max r)`, at least
    /// `minimumFactor`; 1 everywhere when no channel was ever nonzero or a range is not finite.
    ///
    /// | ranges          | factors          |
    /// |-----------------|------------------|
    /// | 4, 1, 0.25      | 1, 0.5, 0.25     |
    /// | 4, 0.01, 0      | 1, 0.25, 0.25    |
    /// | 0, 0            | 1, 1             |
    public static func factors(ranges: [Float]) -> [Float] {
        let top = ranges.max() ?? 0
        guard top > 0, top.isFinite, ranges.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            return ranges.map { _ in 1 }
        }
        return ranges.map { max(($0 / top).squareRoot(), minimumFactor) }
    }

    /// Adds the largest magnitude of each channel (axis 1) of `value` to `maxima`, which starts empty.
    public static func accumulate(_ value: Tensor, into maxima: inout [Float]) throws(QuantError) {
        guard value.rank >= 2, value.dtype == .f32 else {
            throw QuantError("a stream tensor of shape \(value.shape) is not a float tensor with channels")
        }
        let channels = value.shape[1], inner = value.shape[2...].reduce(1, *)
        if maxima.isEmpty { maxima = [Float](repeating: 0, count: channels) }
        guard maxima.count == channels else {
            throw QuantError("a stream tensor has \(channels) channels where its stream has \(maxima.count)")
        }
        let x = value.floatValues()
        for n in 0..<value.shape[0] {
            for c in 0..<channels {
                let base = (n * channels + c) * inner
                var m = maxima[c]
                for i in base..<base + inner where x[i].isFinite { m = max(m, abs(x[i])) }
                maxima[c] = m
            }
        }
    }

    /// `graph` with each stream's producers' output channels divided by its factors and its consumers' input
    /// channels multiplied by them. `factors` is keyed by stream name; a stream without factors is left as it
    /// is, and factors that name no stream of `graph` or do not fit it are refused.
    public static func apply(_ factors: [String: [Float]], to graph: Graph) throws(QuantError) -> Graph {
        let streams = Dictionary(uniqueKeysWithValues: LinearStream.find(in: graph).map { ($0.name, $0) })
        var out = graph
        for (name, s) in factors.sorted(by: { $0.key < $1.key }) {
            guard let stream = streams[name] else {
                throw QuantError("equalization factors for \"\(name)\", which is not a linear stream of this model")
            }
            guard s.count == stream.channels, s.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw QuantError("stream \"\(name)\": \(stream.channels) positive equalization factors needed, "
                    + "got \(s.count)")
            }
            for p in stream.producers {
                let node = graph.nodes[p]
                scale(node.inputs[1], in: &out, axis: 0, by: s.map { 1 / $0 })
                if let b = node.input(2) { scale(b, in: &out, axis: 0, by: s.map { 1 / $0 }) }
            }
            for c in stream.consumers { scale(graph.nodes[c].inputs[1], in: &out, axis: 1, by: s) }
        }
        return out
    }

    /// Multiplies every element of the initializer `name` whose index on `axis` is `c` by `by[c]`
    /// (`LinearStream` checked the initializer's type and that axis's size).
    private static func scale(_ name: String, in graph: inout Graph, axis: Int, by factors: [Float]) {
        guard let t = graph.initializers[name] else { return }
        let inner = t.shape[(axis + 1)...].reduce(1, *), channels = t.shape[axis]
        var x = t.floatValues()
        for i in x.indices { x[i] *= factors[(i / inner) % channels] }
        graph.initializers[name] = Tensor(shape: t.shape, floats: x)
    }
}
