import OctetIR

/// Dynamic quantization, as PyTorch's and onnxruntime's `quantize_dynamic`: weights stored int8 (symmetric),
/// activations quantized per batch at run time, so no calibration data is needed.
///
/// Each MatMul and Gemm with a constant weight (and each Conv when asked) becomes the standard ONNX form:
///
///     x_q, x_scale, x_zp = DynamicQuantizeLinear(x)
///     acc = MatMulInteger(x_q, W_q, x_zp)              (ConvInteger for a Conv)
///     y   = Cast<float>(acc) * (x_scale * W_scale) [+ bias]
///
/// which onnxruntime runs as it is and Octet's CPU backend runs on its integer kernels.
public struct DynamicQuantizer: Sendable {
    public var perChannel: Bool
    public var includeConv: Bool

    public init(perChannel: Bool = true, includeConv: Bool = false) {
        self.perChannel = perChannel
        self.includeConv = includeConv
    }

    /// The rewritten graph, and the nodes quantized and kept float (with the reason).
    public func quantize(_ graph: Graph) throws(QuantError)
        -> (graph: Graph, quantized: [String], keptFloat: [(node: String, reason: String)]) {
        var out = graph
        var names = FreshNames(graph)
        var nodes: [Node] = []
        var quantized: [String] = [], keptFloat: [(String, String)] = []
        let readers = graph.consumers
        for node in graph.nodes {
            let lowered: Result<[Node], RealizeRefusal>?
            switch node.op {
            case .matMul: lowered = dense(node, graph, transposeB: false, bias: nil, &out, &names)
            case .gemm(let a):
                lowered = a.alpha != 1 || a.transA || (node.input(2) != nil && a.beta != 1)
                    ? .failure("Gemm with alpha \(a.alpha), beta \(a.beta) or transA")
                    : dense(node, graph, transposeB: a.transB, bias: node.input(2), &out, &names)
            case .conv(let a) where includeConv: lowered = conv(node, a, graph, &out, &names)
            default: lowered = nil
            }
            switch lowered {
            case .success(let replacement)?:
                nodes += replacement
                quantized.append(node.name)
            case .failure(let why)?:
                nodes.append(node)
                keptFloat.append((node.name, why.description))
            case nil:
                nodes.append(node)
            }
        }
        guard !quantized.isEmpty else {
            throw QuantError("nothing to quantize dynamically: no MatMul or Gemm with a constant weight"
                + (includeConv ? " and no Conv" : "") + (keptFloat.first.map { " (\($0.0): \($0.1))" } ?? ""))
        }
        out.nodes = nodes
        // Float weights now read by no node are dropped.
        let read = Set(nodes.flatMap(\.inputs))
        for name in graph.initializers.keys where !read.contains(name) && readers[name] != nil { out.initializers[name] = nil }
        return (out, quantized, keptFloat)
    }

    /// MatMul or Gemm: x [.., K] × W [K, N] (transposed first for Gemm's transB), plus a bias of N values.
    private func dense(_ node: Node, _ graph: Graph, transposeB: Bool, bias: String?, _ out: inout Graph,
                       _ names: inout FreshNames) -> Result<[Node], RealizeRefusal> {
        guard let x = node.input(0), let wName = node.input(1), var w = graph.initializers[wName], w.rank == 2,
              w.dtype == .f32 else {
            return .failure("its weight is not a constant float matrix")
        }
        if transposeB { w = Self.transposed(w) }
        var biasValues: Tensor?
        if let bias {
            guard let b = graph.initializers[bias], b.dtype == .f32, b.count == w.shape[1] else {
                return .failure("its bias is not a constant of \(w.shape[1]) floats")
            }
            biasValues = Tensor(shape: [b.count], floats: b.floatValues())
        }
        return Result { () throws(RealizeRefusal) -> [Node] in
            try rewrite(node, x: x, weight: w, channelAxis: 1, scaleShape: [w.shape[1]], bias: biasValues,
                        op: .matMulInteger, &out, &names)
        }
    }

    private func conv(_ node: Node, _ a: ConvAttributes, _ graph: Graph, _ out: inout Graph,
                      _ names: inout FreshNames) -> Result<[Node], RealizeRefusal> {
        guard let x = node.input(0), let wName = node.input(1), let w = graph.initializers[wName], w.rank >= 3,
              w.dtype == .f32 else {
            return .failure("its weight is not a constant float tensor")
        }
        let channels = w.shape[0], spatial = w.rank - 2
        var biasValues: Tensor?
        if let bias = node.input(2) {
            guard let b = graph.initializers[bias], b.dtype == .f32, b.count == channels else {
                return .failure("its bias is not a constant of \(channels) floats")
            }
            biasValues = Tensor(shape: [1, channels] + Array(repeating: 1, count: spatial), floats: b.floatValues())
        }
        return Result { () throws(RealizeRefusal) -> [Node] in
            try rewrite(node, x: x, weight: w, channelAxis: 0, scaleShape: [1, channels] + Array(repeating: 1, count: spatial),
                        bias: biasValues, op: .convInteger(a), &out, &names)
        }
    }

    /// The DynamicQuantizeLinear → integer op → Cast → Mul → [Add] chain that replaces `node`.
    private func rewrite(_ node: Node, x: String, weight w: Tensor, channelAxis: Int, scaleShape: [Int], bias: Tensor?,
                         op: Op, _ out: inout Graph, _ names: inout FreshNames) throws(RealizeRefusal) -> [Node] {
        guard w.floatValues().allSatisfy(\.isFinite) else { throw "its weight holds NaN or an infinity" }
        let params = WeightQuantizer.params(w, axis: perChannel ? channelAxis : nil, powerOfTwo: false)
        let base = node.name
        func constant(_ suffix: String, _ t: Tensor) -> String {
            let name = names.make(base + suffix)
            out.initializers[name] = t
            return name
        }
        let wq = constant("_weight_quantized", WeightQuantizer.quantize(w, params))
        let scales = params.scales.count == 1 ? Tensor.scalar(params.scales[0])
            : Tensor(shape: scaleShape, floats: params.scales)
        let wScale = constant("_weight_scale", scales)
        let (xq, xScale, xZero) = (names.make(base + "_input_quantized"), names.make(base + "_input_scale"),
                                   names.make(base + "_input_zero_point"))
        let acc = names.make(base + "_accumulators"), accFloat = names.make(base + "_accumulators_float")
        let scale = names.make(base + "_scale")
        let product = bias == nil ? node.outputs[0] : names.make(base + "_product")
        var nodes = [
            Node(name: names.make(base + "_DynamicQuantizeLinear"), op: .dynamicQuantizeLinear, inputs: [x],
                 outputs: [xq, xScale, xZero]),
            Node(name: base, op: op, inputs: [xq, wq, "", xZero], outputs: [acc]),
            Node(name: names.make(base + "_Cast"), op: .cast(to: .f32), inputs: [acc], outputs: [accFloat]),
            Node(name: names.make(base + "_scale_Mul"), op: .binary(.mul), inputs: [xScale, wScale], outputs: [scale]),
            Node(name: names.make(base + "_Mul"), op: .binary(.mul), inputs: [accFloat, scale], outputs: [product]),
        ]
        if let bias {
            nodes.append(Node(name: names.make(base + "_bias_Add"), op: .binary(.add),
                              inputs: [product, constant("_bias", bias)], outputs: [node.outputs[0]]))
        }
        return nodes
    }

    static func transposed(_ t: Tensor) -> Tensor {
        let (rows, columns) = (t.shape[0], t.shape[1])
        let v = t.floatValues()
        return Tensor(shape: [columns, rows], floats: (0..<rows * columns).map { v[($0 % rows) * columns + $0 / rows] })
    }
}
