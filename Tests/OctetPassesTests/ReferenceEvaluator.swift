import OctetIR

/// A plain evaluator for the few ops these tests fold and run, so the passes are tested on their own.
///
/// Loops straight from the ONNX definitions, 2-D convolutions only; nothing here is tuned.
struct ReferenceEvaluator: NodeEvaluator {
    struct Unsupported: Error { var op: String }

    func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor] {
        func input(_ i: Int) throws -> Tensor {
            guard i < inputs.count, let t = inputs[i] else { throw Unsupported(op: "\(node.op.onnxName) without input \(i)") }
            return t
        }
        switch node.op {
        case .conv(let a): return [try conv(try input(0), try input(1), inputs.count > 2 ? inputs[2] : nil, a)]
        case .convTranspose(let a): return [try convTranspose(try input(0), try input(1), inputs.count > 2 ? inputs[2] : nil, a)]
        case .gemm(let a): return [gemm(try input(0), try input(1), inputs.count > 2 ? inputs[2] : nil, a)]
        case .batchNormalization(let eps): return [try batchNorm(try input(0), inputs.dropFirst().compactMap { $0 }, eps)]
        case .binary(let op):
            switch op {
            case .add: return [try elementwise(try input(0), try input(1), +)]
            case .mul: return [try elementwise(try input(0), try input(1), *)]
            case .sub, .div, .pow: throw Unsupported(op: op.rawValue)
            }
        case .unary(let op):
            guard op == .relu else { throw Unsupported(op: op.rawValue) }
            return [Tensor(shape: try input(0).shape, floats: try input(0).floatValues().map { max($0, 0) })]
        case .identity: return [try input(0)]
        case .transpose(let perm):
            let x = try input(0)
            return [transpose(x, perm ?? Array((0..<x.rank).reversed()))]
        case .reshape: return [try reshape(try input(0), try input(1))]
        case .gather(let axis):
            guard axis == 0, try input(0).rank == 1 else { throw Unsupported(op: "Gather beyond a vector") }
            return [gather(try input(0), try input(1))]
        case .unsqueeze:
            let x = try input(0)
            return [try x.reshaped(x.shape + Array(repeating: 1, count: try input(1).count))]
        case .concat(let axis):
            guard axis == 0 else { throw Unsupported(op: "Concat beyond vectors") }
            var values: [Int64] = []
            for t in inputs.compactMap({ $0 }) { values += t.int64Values() }
            return [Tensor(shape: [values.count], int64s: values)]
        case .shape(let start, let end):
            let shape = try input(0).shape
            let slice = shape[start..<(end.map { $0 < 0 ? $0 + shape.count : $0 } ?? shape.count)]
            return [Tensor(shape: [slice.count], int64s: slice.map { Int64($0) })]
        case .constant(let t):
            return [t]
        case .matMul, .leakyRelu, .hardSigmoid, .clip, .softmax, .maxPool, .averagePool, .globalAveragePool,
             .globalMaxPool, .reduceMean, .split, .flatten, .squeeze, .pad, .resize, .slice, .constantOfShape,
             .dropout, .cast, .quantizeLinear, .dequantizeLinear:
            throw Unsupported(op: node.op.onnxName)
        }
    }

    private func elementwise(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        let x = a.floatValues(), y = b.floatValues()
        if b.count == 1 { return Tensor(shape: a.shape, floats: x.map { f($0, y[0]) }) }
        guard a.shape == b.shape else { throw Unsupported(op: "broadcast \(a.shape) with \(b.shape)") }
        return Tensor(shape: a.shape, floats: zip(x, y).map(f))
    }

    private func reshape(_ x: Tensor, _ shape: Tensor) throws -> Tensor {
        var dims = shape.int64Values().map { Int($0) }
        for i in dims.indices where dims[i] == 0 { dims[i] = x.shape[i] }
        if let k = dims.firstIndex(of: -1) {
            dims[k] = x.count / dims.enumerated().filter { $0.offset != k }.map(\.element).reduce(1, *)
        }
        return try x.reshaped(dims)
    }

    private func gather(_ data: Tensor, _ indices: Tensor) -> Tensor {
        let v = data.int64Values()
        let picked = indices.int64Values().map { v[Int($0 < 0 ? $0 + Int64(v.count) : $0)] }
        return Tensor(shape: indices.shape, int64s: picked)
    }

    private func transpose(_ x: Tensor, _ perm: [Int]) -> Tensor {
        let inStrides = x.shape.rowMajorStrides
        let outShape = perm.map { x.shape[$0] }
        let v = x.floatValues()
        var out = [Float](repeating: 0, count: x.count)
        var index = [Int](repeating: 0, count: outShape.count)
        for o in 0..<x.count {
            var rest = o
            for d in stride(from: outShape.count - 1, through: 0, by: -1) {
                index[d] = rest % outShape[d]
                rest /= outShape[d]
            }
            out[o] = v[zip(index, perm).reduce(0) { $0 + $1.0 * inStrides[$1.1] }]
        }
        return Tensor(shape: outShape, floats: out)
    }

    private func batchNorm(_ x: Tensor, _ p: [Tensor], _ eps: Float) throws -> Tensor {
        guard p.count == 4 else { throw Unsupported(op: "BatchNormalization without parameters") }
        let (s, b, m, v) = (p[0].floatValues(), p[1].floatValues(), p[2].floatValues(), p[3].floatValues())
        let c = x.shape[1]
        let inner = x.shape.dropFirst(2).reduce(1, *)
        var out = x.floatValues()
        for i in out.indices {
            let k = (i / inner) % c
            out[i] = (out[i] - m[k]) / (v[k] + eps).squareRoot() * s[k] + b[k]
        }
        return Tensor(shape: x.shape, floats: out)
    }

    private func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor?, _ attr: GemmAttributes) -> Tensor {
        let (m, k) = attr.transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let n = attr.transB ? b.shape[0] : b.shape[1]
        let av = a.floatValues(), bv = b.floatValues(), cv = c?.floatValues() ?? []
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let x = attr.transA ? av[p * m + i] : av[i * k + p]
                    let y = attr.transB ? bv[j * k + p] : bv[p * n + j]
                    sum += x * y
                }
                let bias: Float = cv.isEmpty ? 0 : cv.count == 1 ? cv[0] : cv.count == n ? cv[j] : cv[i * n + j]
                out[i * n + j] = attr.alpha * sum + attr.beta * bias
            }
        }
        return Tensor(shape: [m, n], floats: out)
    }

    private func conv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ a: ConvAttributes) throws -> Tensor {
        guard x.rank == 4, a.autoPad == .notSet else { throw Unsupported(op: "Conv beyond 2-D explicit pads") }
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (m, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let s = a.strides.isEmpty ? [1, 1] : a.strides
        let d = a.dilations.isEmpty ? [1, 1] : a.dilations
        let p = a.pads.isEmpty ? [0, 0, 0, 0] : a.pads
        let oh = (h + p[0] + p[2] - d[0] * (kh - 1) - 1) / s[0] + 1
        let ow = (wd + p[1] + p[3] - d[1] * (kw - 1) - 1) / s[1] + 1
        let mg = m / a.group
        let xv = x.floatValues(), wv = w.floatValues(), bv = b?.floatValues()
        var out = [Float](repeating: 0, count: n * m * oh * ow)
        for ni in 0..<n {
            for o in 0..<m {
                let g = o / mg
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var sum: Float = bv?[o] ?? 0
                        for ci in 0..<cg {
                            for ky in 0..<kh {
                                let iy = y * s[0] - p[0] + ky * d[0]
                                guard iy >= 0 && iy < h else { continue }
                                for kx in 0..<kw {
                                    let ix = xo * s[1] - p[1] + kx * d[1]
                                    guard ix >= 0 && ix < wd else { continue }
                                    let input = xv[((ni * c + g * cg + ci) * h + iy) * wd + ix]
                                    sum += input * wv[((o * cg + ci) * kh + ky) * kw + kx]
                                }
                            }
                        }
                        out[((ni * m + o) * oh + y) * ow + xo] = sum
                    }
                }
            }
        }
        return Tensor(shape: [n, m, oh, ow], floats: out)
    }

    private func convTranspose(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ t: ConvTransposeAttributes) throws -> Tensor {
        let a = t.conv
        guard x.rank == 4, a.autoPad == .notSet, t.outputShape == nil else { throw Unsupported(op: "ConvTranspose beyond 2-D") }
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (mg, kh, kw) = (w.shape[1], w.shape[2], w.shape[3])
        let cg = c / a.group
        let m = mg * a.group
        let s = a.strides.isEmpty ? [1, 1] : a.strides
        let d = a.dilations.isEmpty ? [1, 1] : a.dilations
        let p = a.pads.isEmpty ? [0, 0, 0, 0] : a.pads
        let op = t.outputPadding.isEmpty ? [0, 0] : t.outputPadding
        let oh = s[0] * (h - 1) + op[0] + d[0] * (kh - 1) + 1 - p[0] - p[2]
        let ow = s[1] * (wd - 1) + op[1] + d[1] * (kw - 1) + 1 - p[1] - p[3]
        let xv = x.floatValues(), wv = w.floatValues(), bv = b?.floatValues()
        var out = [Float](repeating: 0, count: n * m * oh * ow)
        for ni in 0..<n {
            for ci in 0..<c {
                let g = ci / cg
                for iy in 0..<h {
                    for ix in 0..<wd {
                        let input = xv[((ni * c + ci) * h + iy) * wd + ix]
                        for j in 0..<mg {
                            for ky in 0..<kh {
                                let y = iy * s[0] - p[0] + ky * d[0]
                                guard y >= 0 && y < oh else { continue }
                                for kx in 0..<kw {
                                    let xo = ix * s[1] - p[1] + kx * d[1]
                                    guard xo >= 0 && xo < ow else { continue }
                                    out[((ni * m + g * mg + j) * oh + y) * ow + xo] += input * wv[((ci * mg + j) * kh + ky) * kw + kx]
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bv {
            let plane = oh * ow
            for i in out.indices { out[i] += bv[(i / plane) % m] }
        }
        return Tensor(shape: [n, m, oh, ow], floats: out)
    }
}

/// Runs a whole graph node by node with an evaluator: the before/after check for rewrites.
func interpret(_ graph: Graph, inputs: [String: Tensor], evaluator: any NodeEvaluator = ReferenceEvaluator()) throws -> [String: Tensor] {
    var values = graph.initializers.merging(inputs) { $1 }
    for node in graph.nodes {
        let args = node.inputs.map { $0.isEmpty ? nil : values[$0] }
        let results = try evaluator.evaluate(node, inputs: args)
        for (name, t) in zip(node.outputs, results) where !name.isEmpty { values[name] = t }
    }
    var out: [String: Tensor] = [:]
    for o in graph.outputs { out[o.name] = values[o.name] }
    return out
}

/// Seeded uniform values in [-1, 1), so every run checks the same numbers.
struct SeededValues {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func tensor(_ shape: [Int], offset: Float = 0) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in next() + offset })
    }

    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
}
