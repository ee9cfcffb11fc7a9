extension Op {
    /// The ONNX operator type this op is written as, also used by the printer and in error messages.
    public var onnxName: String {
        switch self {
        case .conv: "Conv"
        case .convTranspose: "ConvTranspose"
        case .gemm: "Gemm"
        case .matMul: "MatMul"
        case .binary(let b): b.rawValue
        case .unary(let u): u.rawValue
        case .leakyRelu: "LeakyRelu"
        case .hardSigmoid: "HardSigmoid"
        case .clip: "Clip"
        case .softmax: "Softmax"
        case .batchNormalization: "BatchNormalization"
        case .maxPool: "MaxPool"
        case .averagePool: "AveragePool"
        case .globalAveragePool: "GlobalAveragePool"
        case .globalMaxPool: "GlobalMaxPool"
        case .reduceMean: "ReduceMean"
        case .concat: "Concat"
        case .split: "Split"
        case .reshape: "Reshape"
        case .flatten: "Flatten"
        case .transpose: "Transpose"
        case .squeeze: "Squeeze"
        case .unsqueeze: "Unsqueeze"
        case .pad: "Pad"
        case .resize: "Resize"
        case .slice: "Slice"
        case .gather: "Gather"
        case .shape: "Shape"
        case .constantOfShape: "ConstantOfShape"
        case .expand: "Expand"
        case .range: "Range"
        case .constant: "Constant"
        case .identity: "Identity"
        case .dropout: "Dropout"
        case .cast: "Cast"
        case .quantizeLinear: "QuantizeLinear"
        case .dequantizeLinear: "DequantizeLinear"
        case .convInteger: "ConvInteger"
        case .matMulInteger: "MatMulInteger"
        case .requantize: "Requantize"
        case .qlinearAdd: "QLinearAdd"
        case .qlinearGlobalAveragePool: "QLinearGlobalAveragePool"
        }
    }
}
