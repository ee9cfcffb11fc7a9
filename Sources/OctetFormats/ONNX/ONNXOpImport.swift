import OctetIR

// The op types Octet imports from the default domain, each to the newest-opset form of `Op`.
// Family files (ONNXConvImport, ONNXElementwiseImport, ONNXLayoutImport, ONNXResizeImport) hold the rules.

extension ONNXNodeContext {
    /// Every op type `importOp` accepts (Constant is handled by the graph importer).
    static let supportedOpTypes: Set<String> = Set<String>([
        "Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow",
        "Sqrt", "Relu", "Sigmoid", "Tanh", "Erf", "HardSwish", "Floor", "LeakyRelu", "HardSigmoid", "Clip", "Softmax",
        "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "ReduceMean",
        "Concat", "Split", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Pad", "Resize", "Upsample",
        "Slice", "Gather", "Shape", "ConstantOfShape", "Expand", "Range", "Constant", "Identity", "Dropout", "Cast",
        "QuantizeLinear", "DequantizeLinear",
    ]).union(quantizedOpTypes)

    /// The op for this node in its newest form; older attribute forms become inputs (initializers).
    /// Nodes that need more than one IR node (old Softmax) add the leading ones to the builder.
    mutating func importOp() throws -> Op {
        switch proto.opType {
        case "Conv": return .conv(try convAttributes())
        case "ConvTranspose": return try importConvTranspose()
        case "Gemm": return try importGemm()
        case "MatMul": try requireInputs(2...2); return .matMul
        case "BatchNormalization": return try importBatchNormalization()
        case "MaxPool":
            try keepOutputs(1, what: "indices")
            return .maxPool(try poolAttributes())
        case "AveragePool": return .averagePool(try poolAttributes())
        case "GlobalAveragePool": try requireInputs(1...1); return .globalAveragePool
        case "GlobalMaxPool": try requireInputs(1...1); return .globalMaxPool
        case "Add", "Sub", "Mul", "Div", "Pow":
            try requireInputs(2...2)
            guard let op = BinaryOp(rawValue: proto.opType) else { throw error("unknown binary op") }
            return .binary(op)
        case "Sqrt", "Relu", "Sigmoid", "Tanh", "Erf", "HardSwish", "Floor":
            try requireInputs(1...1)
            guard let op = UnaryOp(rawValue: proto.opType) else { throw error("unknown unary op") }
            return .unary(op)
        case "LeakyRelu": try requireInputs(1...1); return .leakyRelu(alpha: try float("alpha", default: 0.01))
        case "HardSigmoid":
            try requireInputs(1...1)
            return .hardSigmoid(alpha: try float("alpha", default: 0.2), beta: try float("beta", default: 0.5))
        case "Clip": return try importClip()
        case "Softmax": return try importSoftmax()
        case "Dropout": return try importDropout()
        case "Identity": try requireInputs(1...1); return .identity
        case "Cast": return try importCast()
        case "QuantizeLinear", "DequantizeLinear": return try importQuantization()
        case "ReduceMean": return try importReduceMean()
        case "Concat": return try importConcat()
        case "Split": return try importSplit()
        case "Reshape": try requireInputs(2...2); return .reshape(allowZero: try bool("allowzero", default: false))
        case "Flatten": try requireInputs(1...1); return .flatten(axis: try int("axis", default: 1))
        case "Transpose": try requireInputs(1...1); return .transpose(perm: try ints("perm"))
        case "Squeeze", "Unsqueeze": return try importSqueeze()
        case "Pad": return try importPad()
        case "Slice": return try importSlice()
        case "Gather": try requireInputs(2...2); return .gather(axis: try int("axis", default: 0))
        case "Shape": try requireInputs(1...1); return .shape(start: try int("start", default: 0), end: try int("end"))
        case "ConstantOfShape":
            try requireInputs(1...1)
            let value = try tensor("value") ?? Tensor(shape: [1], floats: [0])
            guard value.count == 1 else { throw error("value has \(value.count) elements, expected 1") }
            return .constantOfShape(value: value)
        case "Expand": try requireInputs(2...2); return .expand
        case "Range": try requireInputs(3...3); return .range
        case "Resize": return try importResize()
        case "Upsample": return try importUpsample()
        case _ where Self.quantizedOpTypes.contains(proto.opType) || proto.domain == "com.microsoft":
            return try importQuantizedOp()
        default: throw error("op \(proto.opType) is not supported")
        }
    }

    /// The IR element type for an ONNX data type number, or a clear error.
    func dtype(_ code: Int, for what: String) throws -> DType {
        let onnx = Int32(truncatingIfNeeded: code)
        guard let type = irDType(onnx) else { throw error("\(what) \(ONNXDataType.name(onnx)) is not supported") }
        return type
    }
}
