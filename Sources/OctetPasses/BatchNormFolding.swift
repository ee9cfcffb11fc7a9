import OctetIR

/// Folds a BatchNormalization into the Conv, ConvTranspose or Gemm that feeds it.
///
/// BN computes `y = (x − mean) · f + B` with `f = scale / √(var + ε)`, per channel. When x is
/// `W ∗ input + b`, scaling each output channel's weights by f and replacing the bias with `(b − mean) · f + B`
/// gives y directly. It applies only when x feeds nothing but the BN and every parameter is a float32
/// initializer; any other BatchNormalization is left for the backend.
public struct BatchNormFolding: GraphPass {
    public var name: String { "batchnorm-folding" }

    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        var removed = Set<Int>()
        let graphOutputs = Set(graph.outputs.map(\.name))
        var names = NameTable(graph)
        for (j, bn) in graph.nodes.enumerated() {
            guard case .batchNormalization(let epsilon) = bn.op, let x = bn.input(0),
                  let i = g.producers[x], !removed.contains(i), !graphOutputs.contains(x),
                  g.consumers[x] == [j], let channel = try bnChannelTransform(bn, epsilon: epsilon, in: g) else { continue }
            let producer = g.nodes[i]
            guard producer.outputs.count == 1, let folded = fold(producer, channel, in: &g, names: &names) else { continue }
            var node = folded
            node.outputs = [bn.outputs[0]]
            g.nodes[i] = node
            g.valueInfo[x] = nil
            removed.insert(j)
        }
        g.nodes = g.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return g
    }

    /// Per-channel factor f and shift `B − mean · f`, from float32 initializers; nil when they are not.
    private func bnChannelTransform(_ bn: Node, epsilon: Float, in g: Graph) throws -> ChannelTransform? {
        guard bn.outputs.count == 1 else { return nil }
        var params: [[Float]] = []
        for k in 1...4 {
            guard let name = bn.input(k), let t = g.initializers[name], t.dtype == .f32, t.rank == 1 else { return nil }
            params.append(t.floatValues())
        }
        let c = params[0].count
        guard params.allSatisfy({ $0.count == c }) else {
            throw IRError.shapeMismatch("\(bn.label): scale, bias, mean and variance have different lengths")
        }
        var factor = [Float](repeating: 0, count: c)
        var shift = [Float](repeating: 0, count: c)
        for k in 0..<c {
            // Double inside, so the folded weights round once, as close to the unfolded result as float allows.
            let f = Double(params[0][k]) / (Double(params[3][k]) + Double(epsilon)).squareRoot()
            factor[k] = Float(f)
            shift[k] = Float(Double(params[1][k]) - Double(params[2][k]) * f)
        }
        return ChannelTransform(factor: factor, shift: shift)
    }

    /// The producer rewritten to compute the BN's output, with new weight and bias initializers in `g`.
    private func fold(_ node: Node, _ t: ChannelTransform, in g: inout Graph, names: inout NameTable) -> Node? {
        switch node.op {
        case .conv:
            return foldConvolution(node, t, layout: .outputFirst, in: &g, names: &names)
        case .convTranspose(let a):
            return foldConvolution(node, t, layout: .inputFirst(group: a.conv.group), in: &g, names: &names)
        case .gemm(let a):
            return foldGemm(node, a, t, in: &g, names: &names)
        case .matMul, .binary, .unary, .leakyRelu, .hardSigmoid, .clip, .softmax, .batchNormalization, .maxPool,
             .averagePool, .globalAveragePool, .globalMaxPool, .reduceMean, .concat, .split, .reshape, .flatten,
             .transpose, .squeeze, .unsqueeze, .pad, .resize, .slice, .gather, .shape, .constantOfShape, .expand,
             .range, .constant, .identity, .dropout, .cast, .quantizeLinear, .dequantizeLinear, .convInteger,
             .matMulInteger, .requantize, .qlinearAdd, .qlinearGlobalAveragePool, .dynamicQuantizeLinear:
            return nil
        }
    }

    /// Where a convolution weight keeps its output channels.
    enum WeightLayout {
        /// Conv: `[M, C/group, k...]`, output channel = first index.
        case outputFirst
        /// ConvTranspose: `[C, M/group, k...]`, output channel = group of c · M/group + second index.
        case inputFirst(group: Int)
    }

    /// Conv and ConvTranspose: scale each output channel's weights, fold the shift into the bias.
    private func foldConvolution(_ node: Node, _ t: ChannelTransform, layout: WeightLayout, in g: inout Graph,
                                 names: inout NameTable) -> Node? {
        guard let wName = node.input(1), let w = g.initializers[wName], w.dtype == .f32, w.rank >= 3 else { return nil }
        let inner = w.shape.dropFirst(2).reduce(1, *)
        // channelOf(a, b): the output channel of weight slice [a, b, ...].
        let outChannels: Int
        let channelOf: (Int, Int) -> Int
        switch layout {
        case .outputFirst:
            outChannels = w.shape[0]
            channelOf = { a, _ in a }
        case .inputFirst(let group):
            guard group >= 1, w.shape[0] % group == 0 else { return nil }
            let inPerGroup = w.shape[0] / group
            let outPerGroup = w.shape[1]
            outChannels = outPerGroup * group
            channelOf = { a, b in (a / inPerGroup) * outPerGroup + b }
        }
        guard outChannels == t.factor.count else { return nil }
        var bias = [Float](repeating: 0, count: outChannels)
        if let bName = node.input(2) {
            guard let b = g.initializers[bName], b.dtype == .f32, b.count == outChannels else { return nil }
            bias = b.floatValues()
        }
        var weights = w.floatValues()
        weights.withUnsafeMutableBufferPointer { wp in
            for a in 0..<w.shape[0] {
                for b in 0..<w.shape[1] {
                    let f = t.factor[channelOf(a, b)]
                    let start = (a * w.shape[1] + b) * inner
                    for e in start..<(start + inner) { wp[e] *= f }
                }
            }
        }
        for o in 0..<outChannels { bias[o] = bias[o] * t.factor[o] + t.shift[o] }
        let newW = names.replacement(for: wName, in: g)
        g.initializers[newW] = Tensor(shape: w.shape, floats: weights)
        let newB = node.input(2).map { names.replacement(for: $0, in: g) } ?? names.fresh("\(node.outputs[0])_bias")
        g.initializers[newB] = Tensor(shape: [outChannels], floats: bias)
        var out = node
        out.inputs = [node.inputs[0], newW, newB]
        return out
    }

    /// Gemm `alpha·A·B + beta·C`: scale B's output columns and make C a per-column vector.
    private func foldGemm(_ node: Node, _ a: GemmAttributes, _ t: ChannelTransform, in g: inout Graph,
                          names: inout NameTable) -> Node? {
        guard let bName = node.input(1), let b = g.initializers[bName], b.dtype == .f32, b.rank == 2 else { return nil }
        let n = a.transB ? b.shape[0] : b.shape[1]
        guard n == t.factor.count else { return nil }
        var c = [Float](repeating: 0, count: n)
        if let cName = node.input(2) {
            guard let ct = g.initializers[cName], ct.dtype == .f32 else { return nil }
            let v = ct.floatValues()
            // Only a C that is the same for every row folds: shapes [], [1], [N], [1, N].
            switch ct.shape {
            case [], [1]: c = Array(repeating: v[0] * a.beta, count: n)
            case [n], [1, n]: c = v.map { $0 * a.beta }
            default: return nil
            }
        }
        var weights = b.floatValues()
        weights.withUnsafeMutableBufferPointer { wp in
            for row in 0..<b.shape[0] {
                for col in 0..<b.shape[1] { wp[row * b.shape[1] + col] *= t.factor[a.transB ? row : col] }
            }
        }
        for o in 0..<n { c[o] = c[o] * t.factor[o] + t.shift[o] }
        var out = node
        var attributes = a
        attributes.beta = 1
        out.op = .gemm(attributes)
        let newB = names.replacement(for: bName, in: g)
        g.initializers[newB] = Tensor(shape: b.shape, floats: weights)
        let newC = node.input(2).map { names.replacement(for: $0, in: g) } ?? names.fresh("\(node.outputs[0])_bias")
        g.initializers[newC] = Tensor(shape: [n], floats: c)
        out.inputs = [out.inputs[0], newB, newC]
        return out
    }
}

/// BN as a per-channel affine map `y = x · factor + shift`.
struct ChannelTransform {
    var factor: [Float]
    var shift: [Float]
}
