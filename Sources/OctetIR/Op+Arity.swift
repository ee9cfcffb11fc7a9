extension Op {
    /// How many inputs the op takes: the first `min` are required, up to `max` may be given ("" for omitted).
    public var inputArity: (min: Int, max: Int) {
        switch self {
        case .conv, .convTranspose, .gemm: (2, 3)
        case .matMul, .binary, .reshape, .unsqueeze, .gather, .expand: (2, 2)
        case .range: (3, 3)
        case .unary, .leakyRelu, .hardSigmoid, .softmax, .maxPool, .averagePool, .globalAveragePool,
             .globalMaxPool, .flatten, .transpose, .shape, .constantOfShape, .identity, .cast: (1, 1)
        case .clip: (1, 3)
        case .batchNormalization: (5, 5)
        case .reduceMean, .split, .squeeze: (1, 2)
        case .concat: (1, Int.max)
        case .pad: (2, 4)
        case .resize: (1, 4)
        case .slice: (3, 5)
        case .constant: (0, 0)
        case .dropout: (1, 3)
        case .quantizeLinear, .dequantizeLinear: (2, 3)
        case .convInteger, .matMulInteger: (2, 5)
        case .requantize: (3, 3)
        case .qlinearAdd: (8, 8)
        case .qlinearGlobalAveragePool: (5, 5)
        case .dynamicQuantizeLinear: (1, 1)
        }
    }

    /// How many outputs the op defines (MaxPool's indices and Dropout's mask are optional).
    public var outputArity: (min: Int, max: Int) {
        switch self {
        case .maxPool, .dropout: (1, 2)
        case .dynamicQuantizeLinear: (3, 3)
        case .split: (1, Int.max)
        case .conv, .convTranspose, .gemm, .matMul, .binary, .unary, .leakyRelu, .hardSigmoid, .clip,
             .softmax, .batchNormalization, .averagePool, .globalAveragePool, .globalMaxPool, .reduceMean,
             .concat, .reshape, .flatten, .transpose, .squeeze, .unsqueeze, .pad, .resize, .slice, .gather,
             .shape, .constantOfShape, .expand, .range, .constant, .identity, .cast, .quantizeLinear, .dequantizeLinear,
             .convInteger, .matMulInteger, .requantize, .qlinearAdd, .qlinearGlobalAveragePool: (1, 1)
        }
    }
}

extension Node {
    /// Checks input and output counts against the op's arity; required inputs must not be omitted.
    public func checkArity() throws(IRError) {
        let (minIn, maxIn) = op.inputArity
        let given = inputs.count
        guard given >= minIn, given <= maxIn else {
            let range = maxIn == Int.max ? "at least \(minIn)" : minIn == maxIn ? "\(minIn)" : "\(minIn) to \(maxIn)"
            throw IRError.invalidGraph("\(label): \(op.onnxName) takes \(range) inputs, got \(given)")
        }
        var required = minIn
        if case .concat = op { required = given }  // every Concat input is required
        for i in 0..<required where inputs[i].isEmpty {
            throw IRError.invalidGraph("\(label): \(op.onnxName) input \(i + 1) is required but omitted")
        }
        // Trailing omitted outputs ("") do not count: ONNX writers often list them.
        let used = (outputs.lastIndex(where: { !$0.isEmpty }) ?? -1) + 1
        let (minOut, maxOut) = op.outputArity
        guard used >= minOut, used <= maxOut else {
            let range = maxOut == Int.max ? "at least \(minOut)" : minOut == maxOut ? "\(minOut)" : "\(minOut) to \(maxOut)"
            throw IRError.invalidGraph("\(label): \(op.onnxName) defines \(range) outputs, got \(used)")
        }
        for i in 0..<minOut where outputs[i].isEmpty {
            throw IRError.invalidGraph("\(label): \(op.onnxName) output \(i + 1) is required but has no name")
        }
    }
}
