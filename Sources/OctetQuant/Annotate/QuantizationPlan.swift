import OctetIR

/// Which nodes get quantized and which tensors must be calibrated: the annotate step, before any data.
public struct QuantizationPlan: Sendable {
    struct Use: Sendable {
        var node: Int
        var roles: [Int: QuantRole]
    }

    var uses: [Use]
    /// Activation tensors to observe, in graph order (deterministic).
    public private(set) var activations: [String]
    /// Node names quantized, and node names of quantizable ops kept float with the reason.
    public private(set) var quantizedNodes: [String]
    public private(set) var keptFloat: [(node: String, reason: String)]
    /// Activations that get a scale per channel (axis 1): read only by quantized depthwise convolutions.
    public private(set) var perChannelActivations: Set<String> = []
    /// Activations that are never negative by construction (the output of Relu, of Clip from 0 or above,
    /// of Sigmoid): `auto` activations give them uint8 from 0.
    public private(set) var nonNegativeActivations: Set<String> = []

    public init(graph: Graph, config: QuantizationConfig) throws(QuantError) {
        let names = Set(graph.nodes.map(\.name))
        for name in config.exclude where !names.contains(name) {
            let close = graph.nodes.map(\.name).filter { $0.contains(name) || name.contains($0) }.prefix(3)
            let hint = close.isEmpty ? "" : " (similar: \(close.joined(separator: ", ")))"
            throw QuantError("--exclude: the model has no node named \"\(name)\"\(hint)")
        }
        let excludedTypes = Set(config.excludeTypes.map { $0.lowercased() })
        uses = []
        quantizedNodes = []
        keptFloat = []
        var convIndex = 0
        for (i, node) in graph.nodes.enumerated() {
            let isConv = QuantRule.isConv(node.op)
            defer { if isConv { convIndex += 1 } }
            guard let roles = QuantRule.roles(of: node, in: graph) else { continue }
            let reason: String?
            if config.exclude.contains(node.name) {
                reason = "--exclude"
            } else if excludedTypes.contains(node.op.onnxName.lowercased()) {
                reason = "--exclude-type \(node.op.onnxName)"
            } else if isConv && config.skipConv.contains(convIndex) {
                reason = "--skip-conv \(convIndex)"
            } else if config.skipDense && QuantRule.isDense(node.op) {
                reason = "--skip-dense"
            } else {
                reason = nil
            }
            if let reason {
                keptFloat.append((node.name, reason))
                continue
            }
            uses.append(Use(node: i, roles: roles))
            quantizedNodes.append(node.name)
        }
        guard !uses.isEmpty else {
            throw QuantError("nothing to quantize: the model has no Conv, Gemm, MatMul, Add, Concat or pool "
                + "that is not excluded")
        }
        var seen = Set<String>()
        activations = []
        for use in uses {
            let node = graph.nodes[use.node]
            for (input, role) in use.roles.sorted(by: { $0.key < $1.key }) where role == .activation {
                let name = node.inputs[input]
                if seen.insert(name).inserted { activations.append(name) }
            }
        }
        let producers = Dictionary(graph.nodes.flatMap { n in n.outputs.map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
        nonNegativeActivations = Set(activations.filter { name in
            producers[name].map { Self.isNonNegative($0, in: graph) } ?? false
        })
        if config.depthwisePerChannel {
            let quantized = Set(uses.map(\.node))
            var readers: [String: [Int]] = [:]
            for (i, node) in graph.nodes.enumerated() { for input in node.inputs { readers[input, default: []].append(i) } }
            let outputs = Set(graph.outputs.map(\.name))
            perChannelActivations = Set(activations.filter { name in
                guard !outputs.contains(name), let r = readers[name], !r.isEmpty else { return false }
                return r.allSatisfy { quantized.contains($0) && Self.isDepthwise(graph.nodes[$0], in: graph) && graph.nodes[$0].inputs.first == name }
            })
        }
    }

    /// A convolution with one input channel per group over as many groups as channels.
    static func isDepthwise(_ node: Node, in graph: Graph) -> Bool {
        guard case .conv(let a) = node.op, let w = node.input(1).flatMap({ graph.initializers[$0] }), w.rank >= 3 else {
            return false
        }
        return a.group > 1 && w.shape[1] == 1 && w.shape[0] == a.group
    }

    static func isNonNegative(_ node: Node, in graph: Graph) -> Bool {
        switch node.op {
        case .unary(.relu), .unary(.sigmoid): return true
        case .clip:
            guard let low = node.input(1).flatMap({ graph.initializers[$0] }), low.count == 1 else { return false }
            return low.floatValues()[0] >= 0
        default: return false
        }
    }
}
