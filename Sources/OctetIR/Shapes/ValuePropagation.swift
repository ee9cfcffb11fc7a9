/// A small integer tensor (rank 0 or 1) whose elements are known as dimensions: how shape inference follows
/// `Shape → Gather → Concat → Reshape` chains even when the batch size is a name, as ONNX's data propagation.
struct DimVector: Equatable {
    /// True for a rank-0 tensor (one element), false for rank 1.
    var isScalar: Bool
    var elements: [Dim]

    /// Vectors longer than this are data, not shapes; they are not tracked.
    static let maxCount = 64

    init(isScalar: Bool, elements: [Dim]) {
        self.isScalar = isScalar
        self.elements = elements
    }

    /// The elements of an integer constant of rank 0 or 1.
    init?(constant t: Tensor) {
        guard t.dtype == .i64 || t.dtype == .i32, t.rank <= 1, t.count <= DimVector.maxCount else { return nil }
        isScalar = t.rank == 0
        elements = t.int64Values().map { Dim.fixed(Int(clamping: $0)) }
    }

    var shape: [Dim] { isScalar ? [] : [.fixed(elements.count)] }
}

extension ShapeInference {
    /// The known elements of a node's first output when it computes on shapes; nil otherwise.
    func propagatedDims(_ node: Node) -> DimVector? {
        switch node.op {
        case .shape(let start, let end):
            guard let s = shape(node, 0) else { return nil }
            let (lo, hi) = shapeRange(rank: s.count, start: start, end: end)
            return DimVector(isScalar: false, elements: Array(s[lo..<hi]))
        case .gather(let axis):
            guard let data = dims(node, 0), !data.isScalar, axis == 0 || axis == -1,
                  let indices = dims(node, 1), let idx = integers(node, 1) else { return nil }
            var out: [Dim] = []
            for i in idx {
                guard let k = normalizedAxis(i, rank: data.elements.count) else { return nil }
                out.append(data.elements[k])
            }
            return DimVector(isScalar: indices.isScalar, elements: out)
        case .concat:
            var out: [Dim] = []
            for i in node.inputs.indices {
                guard let v = dims(node, i), !v.isScalar else { return nil }
                out += v.elements
            }
            return out.count <= DimVector.maxCount ? DimVector(isScalar: false, elements: out) : nil
        case .unsqueeze:
            guard let v = dims(node, 0), v.isScalar, let axes = integers(node, 1), axes.count == 1,
                  axes[0] == 0 || axes[0] == -1 else { return nil }
            return DimVector(isScalar: false, elements: v.elements)
        case .squeeze:
            guard let v = dims(node, 0), !v.isScalar, v.elements.count == 1 else { return nil }
            return DimVector(isScalar: true, elements: v.elements)
        case .slice:
            return slicedDims(node)
        case .cast(let to):
            guard to == .i64 || to == .i32 else { return nil }
            return dims(node, 0)
        case .identity:
            return dims(node, 0)
        case .binary(let op):
            return combinedDims(node, op)
        case .conv, .convTranspose, .gemm, .matMul, .unary, .leakyRelu, .hardSigmoid, .clip, .softmax,
             .batchNormalization, .maxPool, .averagePool, .globalAveragePool, .globalMaxPool, .reduceMean,
             .split, .reshape, .flatten, .transpose, .pad, .resize, .constantOfShape, .expand, .range, .constant, .dropout,
             .quantizeLinear, .dequantizeLinear, .convInteger, .matMulInteger, .requantize, .qlinearAdd,
             .qlinearGlobalAveragePool, .dynamicQuantizeLinear:
            return nil
        }
    }

    /// Slice of a known vector with constant parameters along axis 0.
    private func slicedDims(_ node: Node) -> DimVector? {
        guard let v = dims(node, 0), !v.isScalar,
              let starts = integers(node, 1), let ends = integers(node, 2),
              starts.count == 1, ends.count == 1 else { return nil }
        if node.input(3) != nil {
            guard let axes = integers(node, 3), axes == [0] || axes == [-1] else { return nil }
        }
        var step = 1
        if node.input(4) != nil {
            guard let steps = integers(node, 4), steps.count == 1, steps[0] != 0 else { return nil }
            step = steps[0]
        }
        let indices = sliceIndices(count: v.elements.count, start: starts[0], end: ends[0], step: step)
        return DimVector(isScalar: false, elements: indices.map { v.elements[$0] })
    }

    /// Elementwise arithmetic on known vectors: numbers compute, `x*1`, `x+0`, `x/1` keep a name.
    private func combinedDims(_ node: Node, _ op: BinaryOp) -> DimVector? {
        guard let a = dims(node, 0), let b = dims(node, 1) else { return nil }
        let n = Swift.max(a.elements.count, b.elements.count)
        guard a.elements.count == n || a.elements.count == 1, b.elements.count == n || b.elements.count == 1 else {
            return nil
        }
        var out: [Dim] = []
        for i in 0..<n {
            let x = a.elements[a.elements.count == 1 ? 0 : i]
            let y = b.elements[b.elements.count == 1 ? 0 : i]
            out.append(combine(x, y, op))
        }
        return DimVector(isScalar: a.isScalar && b.isScalar, elements: out)
    }

    private func combine(_ x: Dim, _ y: Dim, _ op: BinaryOp) -> Dim {
        if let p = x.value, let q = y.value {
            switch op {
            case .add: return .fixed(p &+ q)
            case .sub: return .fixed(p &- q)
            case .mul: return .fixed(p &* q)
            case .div: return q == 0 ? .unknown : .fixed(p / q)  // integer Div truncates, as ONNX runtimes do
            case .pow: return .unknown
            }
        }
        switch (op, y.value, x.value) {
        case (.mul, 1, _), (.div, 1, _), (.add, 0, _), (.sub, 0, _): return x
        case (.mul, _, 1), (.add, _, 0): return y
        default: return .unknown
        }
    }
}

/// `Shape`'s start/end clamped to 0...rank as ONNX specifies.
func shapeRange(rank: Int, start: Int, end: Int?) -> (Int, Int) {
    func clamp(_ x: Int) -> Int { Swift.min(Swift.max(x < 0 ? x + rank : x, 0), rank) }
    let lo = clamp(start)
    let hi = clamp(end ?? rank)
    return (lo, Swift.max(lo, hi))
}

/// The indices ONNX `Slice` visits along one axis of `count` elements.
func sliceIndices(count: Int, start: Int, end: Int, step: Int) -> [Int] {
    let (lo, hi) = sliceBounds(count: count, start: start, end: end, step: step)
    return Array(stride(from: lo, to: hi, by: step))
}

/// ONNX `Slice` start and end for one axis after making them non-negative and clamping them.
func sliceBounds(count: Int, start: Int, end: Int, step: Int) -> (Int, Int) {
    var s = start < 0 ? start &+ count : start
    var e = end < 0 ? end &+ count : end
    if step > 0 {
        s = Swift.min(Swift.max(s, 0), count)
        e = Swift.min(Swift.max(e, 0), count)
    } else {
        s = Swift.min(Swift.max(s, -1), count - 1)
        e = Swift.min(Swift.max(e, -1), count - 1)
    }
    return (s, e)
}

/// The number of elements ONNX `Slice` keeps along one axis.
func sliceLength(count: Int, start: Int, end: Int, step: Int) -> Int {
    let (s, e) = sliceBounds(count: count, start: start, end: end, step: step)
    if step > 0 { return e > s ? (e - s - 1) / step + 1 : 0 }
    let magnitude = step == Int.min ? Int.max : -step
    return s > e ? (s - e - 1) / magnitude + 1 : 0
}

extension Graph {
    /// Node outputs whose integer values shape inference proved, such as a `Shape` of a static shape and
    /// the `Gather`/`Concat`/arithmetic on it: what constant folding may replace with initializers.
    public func provenIntegerValues() throws(IRError) -> [String: Tensor] {
        var inference = try ShapeInference(graph: self, trustingDeclared: false)
        for node in nodes { try inference.visit(node) }
        var out: [String: Tensor] = [:]
        for node in nodes {
            for name in node.outputs where !name.isEmpty {
                guard let v = inference.dimValues[name], let dtype = inference.types[name]?.dtype else { continue }
                var values: [Int] = []
                for d in v.elements {
                    guard let x = d.value else { break }
                    values.append(x)
                }
                guard values.count == v.elements.count else { continue }
                let shape = v.isScalar ? [] : [values.count]
                switch dtype {
                case .i64: out[name] = Tensor(shape: shape, int64s: values.map { Int64($0) })
                case .i32: out[name] = Tensor(shape: shape, int32s: values.map { Int32(clamping: $0) })
                case .f32, .f16, .i8, .u8, .bool: continue
                }
            }
        }
        return out
    }
}
