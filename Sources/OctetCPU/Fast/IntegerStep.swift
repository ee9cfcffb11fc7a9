import OctetIR

/// The fast kernels of a realized (integer) graph, chosen once when it is compiled: integer convolutions and
/// dense layers with the Requantize (or DequantizeLinear) that alone reads them fused into their epilogue,
/// quantization where float values enter, integer adds. Every step is bit-identical to the reference
/// kernels it replaces.
enum IntegerStep: Sendable {
    case conv(PreparedIntegerConv)
    case dense(PreparedIntegerDense)
    /// MatMulInteger whose input zero point arrives at run time (dynamic quantization): the weights are
    /// packed for zero point 0 and `zero · Σ_k w[k][n]` is taken off afterwards.
    case dynamicDense(PreparedIntegerDense, columnSums: [Int32])
    case quantize(FastQuantize)
    case add(FastQLinearAdd)
    case globalAveragePool(FastQLinearGlobalAveragePool)

    /// A step and the nodes folded into it (the epilogue's Requantize or DequantizeLinear).
    struct Planned {
        var step: IntegerStep
        var folded: [Int] = []
    }

    /// The step for node `i`, when its parameters are constants the fast kernels take.
    static func plan(_ i: Int, in graph: Graph, constants: [String: Tensor], dtype: (String) -> DType?,
                     soleReader: (String) -> Int?) -> Planned? {
        let node = graph.nodes[i]
        func constant(_ k: Int) -> Tensor? { node.input(k).flatMap { constants[$0] } }
        /// A constant per-tensor scale and zero point at inputs `s` and `z` (the QLinear ops' parameters).
        func scalar(_ s: Int, _ z: Int) -> (Float, Int32)? {
            guard let scale = constant(s), scale.count == 1, case .f32(let v) = scale.storage, v[0].isFinite, v[0] > 0,
                  let zp = constant(z), zp.count == 1, zp.dtype == .i8 || zp.dtype == .u8 else { return nil }
            return (v[0], Int32(zp.int64Values()[0]))
        }
        switch node.op {
        case .convInteger(let a):
            guard let w = constant(1), let operands = IntegerOperandsPlan(node, constants: constants, dtype: dtype),
                  let output = node.outputs.first else { return nil }
            let (epilogue, folded) = Self.epilogue(after: output, channels: w.shape.first ?? 0, rank: 4, graph: graph,
                                                   constants: constants, soleReader: soleReader)
            guard let conv = PreparedIntegerConv(weight: w, weightZeroPoints: operands.weightZeros, bias: operands.bias,
                                                 inputZeroPoint: operands.inputZero, inputType: operands.inputType,
                                                 attributes: a, epilogue: epilogue) else { return nil }
            return Planned(step: .conv(conv), folded: folded)
        case .matMulInteger where node.input(3) != nil && constant(3) == nil:
            guard let b = constant(1), b.rank == 2, node.input(2) == nil, dtype(node.inputs[0]) == .u8,
                  let wz = node.input(4).map({ constants[$0] }) ?? .some(nil) else { return nil }
            let zeros = wz.map { $0.int64Values().map { Int32($0) } } ?? [0]
            guard let dense = PreparedIntegerDense(weight: b, weightZeroPoints: zeros, bias: nil, inputZeroPoint: 0,
                                                   inputType: .u8, epilogue: .int32) else { return nil }
            let (depth, columns) = (b.shape[0], b.shape[1])
            let w = b.int64Values()
            let sums = (0..<columns).map { n in
                (0..<depth).reduce(Int32(0)) { $0 &+ Int32(w[$1 * columns + n]) &- zeros[zeros.count == 1 ? 0 : n] }
            }
            return Planned(step: .dynamicDense(dense, columnSums: sums))
        case .matMulInteger:
            guard let b = constant(1), b.rank == 2, let operands = IntegerOperandsPlan(node, constants: constants, dtype: dtype),
                  let output = node.outputs.first else { return nil }
            let rank = graph.valueInfo[output]?.shape?.count ?? 2
            let (epilogue, folded) = Self.epilogue(after: output, channels: b.shape[1], rank: rank, graph: graph,
                                                   constants: constants, soleReader: soleReader)
            guard let dense = PreparedIntegerDense(weight: b, weightZeroPoints: operands.weightZeros, bias: operands.bias,
                                                   inputZeroPoint: operands.inputZero, inputType: operands.inputType,
                                                   epilogue: epilogue) else { return nil }
            return Planned(step: .dense(dense), folded: folded)
        case .quantizeLinear(let axis):
            guard let scale = constant(1), node.input(2) == nil || constant(2) != nil,
                  let q = FastQuantize(scale: scale, zeroPoint: constant(2), axis: axis) else { return nil }
            return Planned(step: .quantize(q))
        case .qlinearAdd(let bounds):
            guard let a = scalar(1, 2), let b = scalar(4, 5), let y = scalar(6, 7), let out = constant(7) else { return nil }
            let rule = QLinearRules.Add(a: a, b: b, y: y, bounds: Requantize.bounds(out.dtype, bounds), signed: out.dtype == .i8)
            return Planned(step: .add(FastQLinearAdd(rule: rule, output: out.dtype)))
        case .qlinearGlobalAveragePool:
            guard let x = scalar(1, 2), let y = scalar(3, 4), let out = constant(4) else { return nil }
            return Planned(step: .globalAveragePool(FastQLinearGlobalAveragePool(x: x, y: y, output: out.dtype)))
        default:
            return nil
        }
    }

    /// What the accumulators become: the sole reader's Requantize or DequantizeLinear (along the channel axis,
    /// constant parameters), folded; otherwise the int32 values themselves.
    private static func epilogue(after value: String, channels: Int, rank: Int, graph: Graph, constants: [String: Tensor],
                                 soleReader: (String) -> Int?) -> (IntegerEpilogue, [Int]) {
        guard let j = soleReader(value), graph.nodes[j].inputs.first == value else { return (.int32, []) }
        let reader = graph.nodes[j]
        let channelAxis = rank == 4 ? 1 : rank - 1
        func perChannel(_ k: Int, axis: Int) -> [Float]? {
            guard let t = reader.input(k).flatMap({ constants[$0] }), case .f32(let v) = t.storage,
                  v.allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
            if v.count == 1 { return v }
            let normalized = axis < 0 ? axis + rank : axis
            return v.count == channels && normalized == channelAxis ? v : nil
        }
        switch reader.op {
        case .requantize(let a):
            guard let ratios = perChannel(1, axis: a.axis), let zp = reader.input(2).flatMap({ constants[$0] }), zp.count == 1,
                  zp.dtype == .i8 || zp.dtype == .u8 else { return (.int32, []) }
            let (lower, upper) = Requantize.bounds(zp.dtype, a.bounds)
            return (.requantize(ratios: ratios, zeroPoint: Int32(zp.int64Values()[0]), output: zp.dtype, lower: lower,
                                upper: upper), [j])
        case .dequantizeLinear(let axis):
            guard let scales = perChannel(1, axis: axis),
                  reader.input(2).map({ constants[$0]?.int64Values().allSatisfy { $0 == 0 } ?? false }) ?? true
            else { return (.int32, []) }
            return (.dequantize(scales: scales), [j])
        default:
            return (.int32, [])
        }
    }

    var name: String {
        switch self {
        case .conv(let c): c.isDepthwise ? "fast integer depthwise conv" : "fast integer conv"
        case .dense: "fast integer dense"
        case .dynamicDense: "fast integer dense, dynamic zero point"
        case .quantize: "fast quantize"
        case .add: "fast integer add"
        case .globalAveragePool: "fast integer global average pool"
        }
    }

    /// The output; nil when the inputs do not fit the fast kernel (the reference then runs the node).
    func run(_ inputs: [Tensor?], threads: Int) -> Tensor? {
        switch self {
        case .conv(let conv):
            return inputs.first.flatMap { $0 }.flatMap { conv.run($0, threads: threads) }
        case .dense(let dense):
            return inputs.first.flatMap { $0 }.flatMap { dense.run($0, threads: threads) }
        case .dynamicDense(let dense, let sums):
            guard inputs.count > 3, let x = inputs[0], let zp = inputs[3], zp.dtype == .u8, zp.count == 1,
                  let raw = dense.run(x, threads: threads), case .i32(var acc) = raw.storage else { return nil }
            let zero = Int32(zp.int64Values()[0])
            let columns = sums.count
            if zero != 0 {
                acc.withUnsafeMutableBufferPointer { a in
                    for i in 0..<a.count { a[i] &-= zero &* sums[i % columns] }
                }
            }
            return Tensor(shape: raw.shape, int32s: acc)
        case .quantize(let q):
            return inputs.first.flatMap { $0 }.flatMap { q.run($0, threads: threads) }
        case .add(let add):
            guard inputs.count > 3, let a = inputs[0], let b = inputs[3] else { return nil }
            return add.run(a, b, threads: threads)
        case .globalAveragePool(let pool):
            return inputs.first.flatMap { $0 }.flatMap { pool.run($0, threads: threads) }
        }
    }
}

/// The constant operands of a ConvInteger or MatMulInteger node: bias, zero points, the activation's type.
private struct IntegerOperandsPlan {
    var bias: [Int32]?
    var inputZero: Int32
    var inputType: DType
    var weightZeros: [Int32]

    init?(_ node: Node, constants: [String: Tensor], dtype: (String) -> DType?) {
        func constant(_ k: Int) -> Tensor?? {
            guard let name = node.input(k) else { return .some(nil) }
            return constants[name].map { .some($0) }
        }
        guard let x = node.input(0), let biasTensor = constant(2), let xz = constant(3), let wz = constant(4) else { return nil }
        if let b = biasTensor {
            guard case .i32(let v) = b.storage, b.rank == 1 else { return nil }
            bias = v
        }
        guard let type = xz?.dtype ?? dtype(x), type == .i8 || type == .u8 else { return nil }
        inputType = type
        guard (xz?.count ?? 1) == 1 else { return nil }
        inputZero = xz.map { Int32($0.int64Values()[0]) } ?? 0
        weightZeros = wz.map { $0.int64Values().map { Int32($0) } } ?? [0]
    }
}
