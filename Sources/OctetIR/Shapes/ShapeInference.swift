/// Static shape inference: walks the nodes in order and records each output's element type and shape.
///
/// Shapes are `[Dim]`: fixed sizes compute, a named size such as "batch" is carried wherever the output
/// provably has that size, anything else is `?`. Ops whose output shape depends on a tensor's values
/// (Reshape, Slice, Pad, Resize, ...) read that tensor when it is a constant or a small integer vector
/// derived from shapes (Shape → Gather → Concat); otherwise the shape is left unknown, never guessed.
extension Graph {
    /// The graph with `valueInfo` filled for every value whose shape follows from the inputs' shapes.
    public func inferringShapes() throws(IRError) -> Graph {
        var inference = try ShapeInference(graph: self)
        for node in nodes { try inference.visit(node) }
        var out = self
        for node in nodes {
            for name in node.outputs where !name.isEmpty {
                guard let t = inference.types[name] else { continue }
                out.valueInfo[name] = ValueInfo(name: name, dtype: t.dtype, shape: t.shape)
            }
        }
        for i in out.outputs.indices {
            let name = out.outputs[i].name
            if let t = inference.types[name] {
                out.outputs[i].dtype = t.dtype ?? out.outputs[i].dtype
                out.outputs[i].shape = t.shape ?? out.outputs[i].shape
            }
        }
        return out
    }
}

/// An inferred element type and shape; either may be unknown.
struct TensorType: Equatable {
    var dtype: DType?
    var shape: [Dim]?

    static let unknown = TensorType(dtype: nil, shape: nil)
}

/// The state of one inference walk: what is known about each value so far.
struct ShapeInference {
    /// Types of every value seen: inputs, initializers, outputs of visited nodes.
    var types: [String: TensorType] = [:]
    /// Initializers and `Constant` outputs: the tensors value-dependent rules may read.
    var constants: [String: Tensor]
    /// Small integer tensors (rank 0 or 1) whose elements are known as dimensions, e.g. a `Shape` output.
    var dimValues: [String: DimVector] = [:]
    /// Types declared by the model (its value_info and outputs), used where inference cannot tell.
    let declared: [String: ValueInfo]

    /// Fixed sizes above this are refused: no real tensor has them, and the bound keeps size arithmetic exact.
    static let maxDimension = 1 << 40

    /// `trustingDeclared: false` ignores the model's declared intermediate types, for facts that become
    /// constants (an exporter's traced shape must never be baked into a graph).
    init(graph: Graph, trustingDeclared: Bool = true) throws(IRError) {
        for v in graph.inputs {
            if let bad = v.shape?.first(where: { ($0.value ?? 0) < 0 || ($0.value ?? 0) > Self.maxDimension }) {
                throw IRError.shapeMismatch("input \"\(v.name)\": dimension \(bad) is out of range")
            }
        }
        constants = graph.initializers
        var declared = trustingDeclared ? graph.valueInfo : [:]
        if trustingDeclared { for v in graph.outputs { declared[v.name] = v } }
        self.declared = declared
        for v in graph.inputs { types[v.name] = TensorType(dtype: v.dtype, shape: v.shape) }
        for (name, t) in graph.initializers {
            types[name] = TensorType(dtype: t.dtype, shape: t.shape.map(Dim.fixed))
            if let dims = DimVector(constant: t) { dimValues[name] = dims }
        }
    }

    /// Infers one node's outputs and records them.
    mutating func visit(_ node: Node) throws(IRError) {
        try node.checkArity()
        if case .constant(let t) = node.op, let name = node.outputs.first {
            constants[name] = t
            if let dims = DimVector(constant: t) { dimValues[name] = dims }
        }
        let results = try outputTypes(node)
        for (i, name) in node.outputs.enumerated() where !name.isEmpty {
            let inferred = i < results.count ? results[i] : .unknown
            if let bad = inferred.shape?.first(where: { ($0.value ?? 0) < 0 || ($0.value ?? 0) > Self.maxDimension }) {
                throw mismatch(node, "output \"\(name)\" would have a dimension of size \(bad)")
            }
            types[name] = merged(inferred, declared: declared[name])
        }
        if let first = node.outputs.first, !first.isEmpty, dimValues[first] == nil,
           let dims = propagatedDims(node) {
            dimValues[first] = dims
        }
    }

    /// Fills what inference left unknown from the model's own declaration; inference wins on conflicts.
    private func merged(_ inferred: TensorType, declared: ValueInfo?) -> TensorType {
        guard let declared else { return inferred }
        var out = inferred
        if out.dtype == nil { out.dtype = declared.dtype }
        guard let hint = declared.shape else { return out }
        guard let shape = out.shape else {
            out.shape = hint
            return out
        }
        if shape.count == hint.count {
            out.shape = zip(shape, hint).map { $0.isUnknown ? $1 : $0 }
        }
        return out
    }

    /// The rule for each op, by family (files beside this one).
    private func outputTypes(_ node: Node) throws(IRError) -> [TensorType] {
        switch node.op {
        case .conv(let a): return [try convType(node, a)]
        case .convTranspose(let a): return [try convTransposeType(node, a)]
        case .gemm(let a): return [try gemmType(node, a)]
        case .matMul: return [try matMulType(node)]
        case .binary(let op): return [try binaryType(node, op)]
        case .unary, .leakyRelu, .hardSigmoid, .identity: return [sameAsInput(node)]
        case .clip: return [try clipType(node)]
        case .softmax(let axis): return [try softmaxType(node, axis: axis)]
        case .batchNormalization: return [try batchNormType(node)]
        case .maxPool(let a): return try maxPoolTypes(node, a)
        case .averagePool(let a): return [try poolType(node, a)]
        case .globalAveragePool, .globalMaxPool: return [try globalPoolType(node)]
        case .reduceMean(let keepDims, let noop): return [try reduceMeanType(node, keepDims: keepDims, noopWithEmptyAxes: noop)]
        case .concat(let axis): return [try concatType(node, axis: axis)]
        case .split(let axis, let n): return try splitTypes(node, axis: axis, numOutputs: n)
        case .reshape(let allowZero): return [try reshapeType(node, allowZero: allowZero)]
        case .flatten(let axis): return [try flattenType(node, axis: axis)]
        case .transpose(let perm): return [try transposeType(node, perm: perm)]
        case .squeeze: return [try squeezeType(node)]
        case .unsqueeze: return [try unsqueezeType(node)]
        case .pad: return [try padType(node)]
        case .resize(let a): return [try resizeType(node, a)]
        case .slice: return [try sliceType(node)]
        case .gather(let axis): return [try gatherType(node, axis: axis)]
        case .shape(let start, let end): return [try shapeOpType(node, start: start, end: end)]
        case .constantOfShape(let value): return [try constantOfShapeType(node, value: value)]
        case .expand: return [try expandType(node)]
        case .range: return [try rangeType(node)]
        case .constant(let t): return [TensorType(dtype: t.dtype, shape: t.shape.map(Dim.fixed))]
        case .dropout: return dropoutTypes(node)
        case .cast(let to): return [TensorType(dtype: to, shape: type(node, 0).shape)]
        case .quantizeLinear(let axis): return [try quantizeType(node, axis: axis)]
        case .dequantizeLinear(let axis): return [try dequantizeType(node, axis: axis)]
        case .convInteger(let a): return [try convIntegerType(node, a)]
        case .matMulInteger: return [try matMulIntegerType(node)]
        case .requantize(let a): return [try requantizeType(node, a)]
        case .qlinearAdd: return [try qlinearAddType(node)]
        case .qlinearGlobalAveragePool: return [try qlinearGlobalAveragePoolType(node)]
        case .dynamicQuantizeLinear: return dynamicQuantizeTypes(node)
        }
    }

    // MARK: Reading inputs

    /// The type of input `i`, unknown when omitted or never defined.
    func type(_ node: Node, _ i: Int) -> TensorType {
        guard let name = node.input(i) else { return .unknown }
        return types[name] ?? .unknown
    }

    func shape(_ node: Node, _ i: Int) -> [Dim]? { type(node, i).shape }

    /// Input `i` as a constant tensor, nil when omitted or computed at run time.
    func constant(_ node: Node, _ i: Int) -> Tensor? {
        guard let name = node.input(i) else { return nil }
        return constants[name]
    }

    /// Input `i`'s elements as dimensions, nil when not known statically.
    func dims(_ node: Node, _ i: Int) -> DimVector? {
        guard let name = node.input(i) else { return nil }
        return dimValues[name]
    }

    /// Input `i`'s elements as plain integers, nil unless every element is a known number.
    func integers(_ node: Node, _ i: Int) -> [Int]? {
        guard let v = dims(node, i) else { return nil }
        var out: [Int] = []
        for d in v.elements {
            guard let x = d.value else { return nil }
            out.append(x)
        }
        return out
    }

    /// Whether input `i` is omitted, or a constant with no elements (how older exporters omit inputs).
    func isAbsent(_ node: Node, _ i: Int) -> Bool {
        guard node.input(i) != nil else { return true }
        return constant(node, i)?.count == 0
    }

    func sameAsInput(_ node: Node) -> TensorType { type(node, 0) }

    /// A shape error naming the node.
    func mismatch(_ node: Node, _ message: String) -> IRError {
        .shapeMismatch("\(node.label): \(message)")
    }

    /// An attribute error naming the node.
    func badAttribute(_ node: Node, _ message: String) -> IRError {
        .invalidAttribute("\(node.label): \(message)")
    }

    /// `axis` normalized against `rank`, or an error naming the node.
    func axis(_ node: Node, _ axis: Int, rank: Int, what: String = "axis") throws(IRError) -> Int {
        guard let a = normalizedAxis(axis, rank: rank) else {
            throw badAttribute(node, "\(what) \(axis) is out of range for rank \(rank)")
        }
        return a
    }
}
