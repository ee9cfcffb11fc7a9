import OctetIR

/// The fast kernels of a realized (integer) graph, chosen once when it is compiled: quantization where float
/// values enter, integer adds and pools. Every step is bit-identical to the reference kernels it replaces.
enum IntegerStep: Sendable {
    case quantize(FastQuantize)
    case add(FastQLinearAdd)

    /// The step for node `node`, when its parameters are constants the fast kernels take.
    static func plan(_ node: Node, constants: [String: Tensor]) -> IntegerStep? {
        func constant(_ i: Int) -> Tensor? { node.input(i).flatMap { constants[$0] } }
        switch node.op {
        case .quantizeLinear:
            guard let scale = constant(1), node.input(2) == nil || constant(2) != nil,
                  let q = FastQuantize(scale: scale, zeroPoint: constant(2)) else { return nil }
            return .quantize(q)
        case .qlinearAdd(let bounds):
            func scalar(_ s: Int, _ z: Int) -> (Float, Int32)? {
                guard let scale = constant(s), scale.count == 1, case .f32(let v) = scale.storage, v[0].isFinite, v[0] > 0,
                      let zp = constant(z), zp.count == 1, zp.dtype == .i8 || zp.dtype == .u8 else { return nil }
                return (v[0], Int32(zp.int64Values()[0]))
            }
            guard let a = scalar(1, 2), let b = scalar(4, 5), let y = scalar(6, 7), let out = constant(7) else { return nil }
            let rule = QLinearRules.Add(a: a, b: b, y: y, bounds: Requantize.bounds(out.dtype, bounds), signed: out.dtype == .i8)
            return .add(FastQLinearAdd(rule: rule, output: out.dtype))
        default:
            return nil
        }
    }

    var name: String {
        switch self {
        case .quantize: "fast quantize"
        case .add: "fast integer add"
        }
    }

    /// The output; nil when the inputs do not fit the fast kernel (the reference then runs the node).
    func run(_ inputs: [Tensor?], threads: Int) -> Tensor? {
        switch self {
        case .quantize(let q):
            return inputs.first.flatMap { $0 }.flatMap { q.run($0, threads: threads) }
        case .add(let add):
            guard inputs.count > 3, let a = inputs[0], let b = inputs[3] else { return nil }
            return add.run(a, b, threads: threads)
        }
    }
}
