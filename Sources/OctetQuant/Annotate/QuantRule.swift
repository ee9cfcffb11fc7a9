import OctetIR

/// What each input of a quantizable op becomes: TVM's per-op annotate rules, kept next to each other.
enum QuantRole: Equatable {
    /// A tensor computed at run time: calibrated, then quantized per tensor.
    case activation
    /// A constant weight: symmetric int8, per channel along `axis` when per-channel is asked.
    case weight(axis: Int)
    /// A constant bias: int32 with scale = input scale x weight scale, zero point 0.
    case bias(activation: Int, weight: Int)
}

enum QuantRule {
    /// The roles of a node's inputs by position, or nil when the op stays float.
    static func roles(of node: Node, in graph: Graph) -> [Int: QuantRole]? {
        func isConstant(_ i: Int) -> Bool { node.input(i).map { graph.initializers[$0] != nil } ?? false }
        func rank(_ i: Int) -> Int? { node.input(i).flatMap { graph.initializers[$0]?.rank } }
        // Only float values are quantized: an integer data path (a Concat of shapes, an Add of indices) stays
        // as it is, or a QuantizeLinear would turn int64 shapes into a file no runtime loads.
        func isFloat(_ name: String) -> Bool {
            let dtype = graph.valueInfo[name]?.dtype ?? graph.inputs.first { $0.name == name }?.dtype
            return dtype?.isFloatingPoint ?? true
        }
        func isActivation(_ i: Int) -> Bool { node.input(i).map { !isConstant(i) && isFloat($0) } ?? false }

        switch node.op {
        case .conv:
            guard isActivation(0), isConstant(1), rank(1).map({ $0 >= 3 }) ?? false else { return nil }
            var roles: [Int: QuantRole] = [0: .activation, 1: .weight(axis: 0)]
            if isConstant(2) && rank(2) == 1 { roles[2] = .bias(activation: 0, weight: 1) }
            return roles
        case .gemm(let a):
            guard isActivation(0), a.alpha == 1 else { return nil }
            var roles: [Int: QuantRole] = [0: .activation]
            if isConstant(1) && rank(1) == 2 {
                roles[1] = .weight(axis: a.transB ? 0 : 1)
                if isConstant(2) && rank(2) == 1 && a.beta == 1 { roles[2] = .bias(activation: 0, weight: 1) }
            } else if isActivation(1) {
                roles[1] = .activation
            } else {
                return nil
            }
            return roles
        case .matMul:
            guard isActivation(0) else { return nil }
            if isConstant(1) && rank(1) == 2 { return [0: .activation, 1: .weight(axis: 1)] }
            return isActivation(1) ? [0: .activation, 1: .activation] : nil
        case .binary(let b):
            guard b == .add, isActivation(0), isActivation(1) else { return nil }
            return [0: .activation, 1: .activation]
        case .concat:
            guard !node.inputs.isEmpty, node.inputs.indices.allSatisfy(isActivation) else { return nil }
            return Dictionary(uniqueKeysWithValues: node.inputs.indices.map { ($0, QuantRole.activation) })
        case .maxPool, .averagePool, .globalAveragePool:
            return isActivation(0) ? [0: .activation] : nil
        case .convTranspose, .unary, .leakyRelu, .hardSigmoid, .clip, .softmax, .batchNormalization,
             .globalMaxPool, .reduceMean, .split, .reshape, .flatten, .transpose, .squeeze, .unsqueeze, .pad,
             .resize, .slice, .gather, .shape, .constantOfShape, .expand, .range, .constant, .identity, .dropout, .cast,
             .quantizeLinear, .dequantizeLinear, .convInteger, .matMulInteger, .requantize, .qlinearAdd,
             .qlinearGlobalAveragePool, .dynamicQuantizeLinear:
            return nil
        }
    }

    static func isDense(_ op: Op) -> Bool {
        switch op {
        case .gemm, .matMul: true
        default: false
        }
    }

    static func isConv(_ op: Op) -> Bool {
        if case .conv = op { return true }
        return false
    }
}
