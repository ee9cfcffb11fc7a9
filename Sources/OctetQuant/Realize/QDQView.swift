import OctetIR

/// A QDQ graph as the realize selectors read it: who produces and who reads each value, which values are
/// constants, and the quantization that a DequantizeLinear or QuantizeLinear node applies.
///
/// This is the one matcher every backend relies on: backends see only what realize made of it.
struct QDQView {
    /// A value read through a DequantizeLinear whose scale and zero point are constants.
    struct Dequantized {
        /// The integer value the DequantizeLinear reads (an activation, or a stored weight).
        var quantized: String
        var scale: [Float]
        var zeroPoint: Tensor?
        /// The integer type: the zero point's, or the data's when the zero point is omitted.
        var dtype: DType
        /// Normalized against the data's rank; nil when per tensor.
        var axis: Int?
        /// The integer data, when it is a constant (weights, biases).
        var constant: Tensor?

        var isPerTensor: Bool { axis == nil }
        var zero: Int32 { zeroPoint.map { Int32($0.int64Values()[0]) } ?? 0 }
        var zeros: [Int32] { zeroPoint.map { $0.int64Values().map { Int32($0) } } ?? [0] }
    }

    /// A QuantizeLinear reading a value with constant parameters: per tensor, or (where the reader allows)
    /// per channel along axis 1 with one zero point for every channel.
    struct Quantize {
        var node: Int
        var output: String
        var scales: [Float]
        var dtype: DType
        var zero: Int32

        var isPerTensor: Bool { scales.count == 1 }
        /// The scale of a per-tensor QuantizeLinear.
        var scale: Float { scales[0] }
        /// A scalar zero point tensor of the output type.
        var zeroPointTensor: Tensor {
            dtype == .u8 ? Tensor(shape: [], uint8s: [UInt8(zero)]) : Tensor(shape: [], int8s: [Int8(zero)])
        }

        /// `round_half_even(x / scale) + zero_point`, saturated: where a float bound lands in the integers.
        func quantized(_ x: Float, channel: Int = 0) -> Int32 {
            let (lo, hi) = Requantize.bounds(dtype)
            let q = (x / scales[isPerTensor ? 0 : channel]).rounded(.toNearestOrEven)
            guard q.isFinite else { return q > 0 ? hi : q < 0 ? lo : zero }
            return Int32(max(Float(lo), min(Float(hi), q + Float(zero))))
        }
    }

    let graph: Graph
    let producer: [String: Int]
    let readers: [String: [Int]]
    let constants: [String: Tensor]
    let outputs: Set<String>

    init(_ graph: Graph) {
        self.graph = graph
        producer = graph.producers
        readers = graph.consumers
        var constants = graph.initializers
        for node in graph.nodes {
            if case .constant(let t) = node.op, let name = node.outputs.first { constants[name] = t }
        }
        self.constants = constants
        outputs = Set(graph.outputs.map(\.name))
    }

    /// `value`, or what it is an Identity of (exporters route shared weights and biases through Identity).
    func throughIdentities(_ value: String) -> String {
        var v = value
        for _ in 0..<graph.nodes.count {
            guard let p = producer[v], case .identity = graph.nodes[p].op, let source = graph.nodes[p].input(0) else { break }
            v = source
        }
        return v
    }

    /// The DequantizeLinear behind `value` (through Identity nodes), or why there is none usable.
    func dequantized(_ value: String) -> Result<Dequantized, RealizeRefusal> {
        guard let p = producer[throughIdentities(value)], case .dequantizeLinear(let axis) = graph.nodes[p].op else {
            return .failure(RealizeRefusal("\"\(value)\" is not the output of a DequantizeLinear", notQuantized: true))
        }
        let dq = graph.nodes[p]
        guard let data = dq.input(0), let scaleName = dq.input(1), let scale = constants[scaleName],
              case .f32(let scales) = scale.storage, !scales.isEmpty else {
            return .failure("DequantizeLinear \"\(dq.name)\" has no constant float32 scale")
        }
        if let bad = scales.first(where: { !($0.isFinite && $0 > 0) }) {
            return .failure("DequantizeLinear \"\(dq.name)\" has scale \(bad), not a positive finite number")
        }
        var zeroPoint: Tensor?
        if let z = dq.input(2) {
            guard let t = constants[z] else { return .failure("DequantizeLinear \"\(dq.name)\" has a computed zero point") }
            guard t.count == scales.count else {
                return .failure("DequantizeLinear \"\(dq.name)\": \(t.count) zero points for \(scales.count) scales")
            }
            zeroPoint = t
        }
        let constant = constants[data]
        guard let dtype = zeroPoint?.dtype ?? constant?.dtype ?? graph.valueInfo[data]?.dtype
                ?? graph.inputs.first(where: { $0.name == data })?.dtype else {
            return .failure("DequantizeLinear \"\(dq.name)\": the type of \"\(data)\" is unknown")
        }
        var normalizedAxis: Int?
        if scales.count > 1 {
            guard let rank = constant?.rank ?? graph.valueInfo[data]?.shape?.count,
                  let a = Self.normalized(axis, rank: rank) else {
                return .failure("DequantizeLinear \"\(dq.name)\": axis \(axis) does not fit its data")
            }
            normalizedAxis = a
        }
        return .success(Dequantized(quantized: data, scale: scales, zeroPoint: zeroPoint, dtype: dtype,
                                    axis: normalizedAxis, constant: constant))
    }

    /// Whether `value` is a constant scalar 0, directly or as DequantizeLinear(QuantizeLinear(0)) (a quantizer
    /// that quantizes every float input, Pad's constant value included).
    func isConstantZero(_ value: String) -> Bool {
        let v = throughIdentities(value)
        if let t = constants[v] { return t.count == 1 && t.floatValues()[0] == 0 }
        guard let p = producer[v], case .dequantizeLinear = graph.nodes[p].op, let q = graph.nodes[p].input(0),
              let qp = producer[q], case .quantizeLinear = graph.nodes[qp].op, let source = graph.nodes[qp].input(0),
              let zero = graph.nodes[qp].input(2), let z1 = constants[zero], graph.nodes[p].input(2).flatMap({ constants[$0] }) == z1,
              let t = constants[throughIdentities(source)] else { return false }
        // Q(0) is the zero point exactly, and DQ of the zero point is 0.
        return t.count == 1 && t.floatValues()[0] == 0
    }

    /// The one QuantizeLinear reading `value` (constant parameters; per tensor, or per channel along axis 1
    /// when `perChannel` says the reader folds a scale per channel), or why there is none.
    func soleQuantize(of value: String, perChannel: Bool = false) -> Result<Quantize, RealizeRefusal> {
        // A result read as float is the model's choice, not a group that failed: no warning.
        guard !outputs.contains(value) else { return .failure(RealizeRefusal("\"\(value)\" is a graph output", notQuantized: true)) }
        let r = readers[value] ?? []
        guard r.count == 1, case .quantizeLinear = graph.nodes[r[0]].op else {
            return .failure(RealizeRefusal(r.count > 1 ? "\"\(value)\" has \(r.count) readers, not one QuantizeLinear"
                : "\"\(value)\" is not read by a QuantizeLinear", notQuantized: true))
        }
        let q = graph.nodes[r[0]]
        guard let s = q.input(1), let scale = constants[s], case .f32(let scales) = scale.storage, !scales.isEmpty else {
            return .failure("QuantizeLinear \"\(q.name)\" has no constant float32 scale")
        }
        if scales.count > 1 {
            guard perChannel, case .quantizeLinear(let axis) = q.op,
                  let rank = graph.valueInfo[value]?.shape?.count, Self.normalized(axis, rank: rank) == 1 else {
                return .failure("QuantizeLinear \"\(q.name)\" is per axis, which only a convolution's output takes here")
            }
        }
        if let bad = scales.first(where: { !($0.isFinite && $0 > 0) }) {
            return .failure("QuantizeLinear \"\(q.name)\" has scale \(bad), not a positive finite number")
        }
        let zeroPoint = q.input(2).flatMap { constants[$0] } ?? Tensor(shape: [], uint8s: [0])
        let zeros = Set(zeroPoint.int64Values())
        guard q.input(2) == nil || q.input(2).flatMap({ constants[$0] }) != nil, zeros.count == 1, let zero = zeros.first,
              zeroPoint.count == 1 || zeroPoint.count == scales.count, zeroPoint.dtype == .i8 || zeroPoint.dtype == .u8 else {
            return .failure("QuantizeLinear \"\(q.name)\" has no constant int8 or uint8 zero point shared by its channels")
        }
        guard let output = q.outputs.first, !output.isEmpty else { return .failure("QuantizeLinear \"\(q.name)\" has no output") }
        return .success(Quantize(node: r[0], output: output, scales: scales, dtype: zeroPoint.dtype, zero: Int32(zero)))
    }

    /// The only reader of `value`, when it has exactly one and `value` is not a graph output.
    func soleReader(_ value: String) -> Int? {
        guard !outputs.contains(value), let r = readers[value], r.count == 1 else { return nil }
        return r[0]
    }

    static func normalized(_ axis: Int, rank: Int) -> Int? {
        guard axis >= -rank, axis < rank else { return nil }
        return axis < 0 ? axis + rank : axis
    }
}

/// Why a node stays float: one sentence naming the value or node that stopped the match.
struct RealizeRefusal: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation, CustomStringConvertible {
    var description: String
    /// The node is not in a QDQ group at all (its input is float): it was meant to stay float, no warning.
    var notQuantized = false
    init(_ text: String, notQuantized: Bool = false) {
        description = text
        self.notQuantized = notQuantized
    }
    init(stringLiteral text: String) { description = text }
    init(stringInterpolation: DefaultStringInterpolation) { description = String(stringInterpolation: stringInterpolation) }
}
