/// Every operator the IR knows, with its attributes typed.
///
/// The cases follow the newest ONNX form of each op (opset 18 and later): parameters that newer opsets
/// pass as inputs (Clip's min/max, Pad's pads, Slice's starts, Squeeze's axes, ReduceMean's axes,
/// Split's sizes, Resize's scales/sizes) are inputs here too, and the ONNX importer rewrites older
/// attribute forms into inputs. Optional inputs absent in a node are empty strings in `Node.inputs`.
/// Switches over `Op` are exhaustive on purpose: the compiler lists every place a new op touches.
public enum Op: Sendable, Equatable {
    // Convolution and dense.
    case conv(ConvAttributes)                    // X, W, B?
    case convTranspose(ConvTransposeAttributes)  // X, W, B?
    case gemm(GemmAttributes)                    // A, B, C?
    case matMul                                  // A, B

    // Elementwise (numpy broadcasting for binary ops).
    case binary(BinaryOp)                        // A, B
    case unary(UnaryOp)                          // X
    case leakyRelu(alpha: Float)
    case hardSigmoid(alpha: Float, beta: Float)
    case clip                                    // X, min?, max?
    case softmax(axis: Int)

    // Normalization and pooling.
    case batchNormalization(epsilon: Float)      // X, scale, B, mean, var
    case maxPool(PoolAttributes)
    case averagePool(PoolAttributes)
    case globalAveragePool
    case globalMaxPool
    case reduceMean(keepDims: Bool, noopWithEmptyAxes: Bool) // data, axes?

    // Layout and indexing.
    case concat(axis: Int)
    case split(axis: Int, numOutputs: Int?)      // input, split?
    case reshape(allowZero: Bool)                // data, shape
    case flatten(axis: Int)
    case transpose(perm: [Int]?)
    case squeeze                                 // data, axes?
    case unsqueeze                               // data, axes
    case pad(mode: PadMode)                      // data, pads, constant_value?, axes?
    case resize(ResizeAttributes)                // X, roi?, scales?, sizes?
    case slice                                   // data, starts, ends, axes?, steps?
    case gather(axis: Int)                       // data, indices
    case shape(start: Int, end: Int?)
    case constantOfShape(value: Tensor)          // input (shape)
    case expand                                  // input, shape
    case range                                   // start, limit, delta (scalars)
    case constant(Tensor)
    case identity
    case dropout                                 // data, ratio?, training_mode? (inference: identity)
    case cast(to: DType)

    // Quantization, as ONNX QuantizeLinear / DequantizeLinear.
    case quantizeLinear(axis: Int)               // x, y_scale, y_zero_point?
    case dequantizeLinear(axis: Int)             // x, x_scale, x_zero_point?

    // Integer compute, TVM QNN's shape: int8/uint8 operands with zero points, exact int32 accumulators,
    // brought back to int8/uint8 by `requantize` (see `Requantize`). Made by the realize pass and by the
    // import of QOperator models; ONNX has no name for most of them, so they are never exported.
    case convInteger(ConvAttributes)             // x, w, bias? (i32), x_zero_point?, w_zero_point? -> i32
    case matMulInteger                           // a [.., K], b [K, N], bias? (i32 [N]), a_zero_point?, b_zero_point? -> i32
    case requantize(RequantizeAttributes)        // x (i32), ratio (f32, scalar or along axis), y_zero_point -> i8/u8
    case qlinearAdd(IntegerBounds)               // a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
    case qlinearGlobalAveragePool                // x, x_scale, x_zero_point, y_scale, y_zero_point (NCHW)
    /// ONNX DynamicQuantizeLinear: uint8 with a scale and zero point chosen from the tensor's own range.
    case dynamicQuantizeLinear                   // x -> y (u8), y_scale, y_zero_point
}

/// Saturation bounds narrower than the integer type: a Relu or Clip folded into a quantized op's output.
/// nil means the type's own limit.
public struct IntegerBounds: Sendable, Equatable {
    public var lower: Int32?
    public var upper: Int32?

    public init(lower: Int32? = nil, upper: Int32? = nil) {
        self.lower = lower
        self.upper = upper
    }
}

public struct RequantizeAttributes: Sendable, Equatable {
    /// The axis the ratio runs along when it has more than one value (a conv's output channels: 1).
    public var axis: Int
    public var bounds: IntegerBounds

    public init(axis: Int = 1, bounds: IntegerBounds = IntegerBounds()) {
        self.axis = axis
        self.bounds = bounds
    }
}

public enum BinaryOp: String, Sendable, CaseIterable {
    case add = "Add", sub = "Sub", mul = "Mul", div = "Div", pow = "Pow"
}

public enum UnaryOp: String, Sendable, CaseIterable {
    case sqrt = "Sqrt", relu = "Relu", sigmoid = "Sigmoid", tanh = "Tanh", erf = "Erf", hardSwish = "HardSwish",
         floor = "Floor"
}

/// ONNX `auto_pad`; explicit pads are used only with `.notSet`.
public enum AutoPad: String, Sendable {
    case notSet = "NOTSET", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER", valid = "VALID"
}

public enum PadMode: String, Sendable {
    case constant, reflect, edge, wrap
}

public struct ConvAttributes: Sendable, Equatable {
    /// Spatial kernel size; nil means "take it from the weight's shape".
    public var kernelShape: [Int]?
    /// Per spatial axis; empty means 1 for every axis.
    public var strides: [Int]
    /// Begin pads for every spatial axis, then end pads (ONNX order); empty means zeros.
    public var pads: [Int]
    public var dilations: [Int]
    public var group: Int
    public var autoPad: AutoPad

    public init(kernelShape: [Int]? = nil, strides: [Int] = [], pads: [Int] = [], dilations: [Int] = [],
                group: Int = 1, autoPad: AutoPad = .notSet) {
        self.kernelShape = kernelShape
        self.strides = strides
        self.pads = pads
        self.dilations = dilations
        self.group = group
        self.autoPad = autoPad
    }
}

public struct ConvTransposeAttributes: Sendable, Equatable {
    public var conv: ConvAttributes
    public var outputPadding: [Int]
    /// When set, pads are computed to produce this spatial output shape (ONNX semantics).
    public var outputShape: [Int]?

    public init(conv: ConvAttributes = ConvAttributes(), outputPadding: [Int] = [], outputShape: [Int]? = nil) {
        self.conv = conv
        self.outputPadding = outputPadding
        self.outputShape = outputShape
    }
}

public struct GemmAttributes: Sendable, Equatable {
    public var alpha: Float
    public var beta: Float
    public var transA: Bool
    public var transB: Bool

    public init(alpha: Float = 1, beta: Float = 1, transA: Bool = false, transB: Bool = false) {
        self.alpha = alpha
        self.beta = beta
        self.transA = transA
        self.transB = transB
    }
}

public struct PoolAttributes: Sendable, Equatable {
    public var kernelShape: [Int]
    public var strides: [Int]
    public var pads: [Int]
    public var dilations: [Int]
    public var autoPad: AutoPad
    public var ceilMode: Bool
    /// AveragePool only: whether padded cells count in the divisor.
    public var countIncludePad: Bool

    public init(kernelShape: [Int], strides: [Int] = [], pads: [Int] = [], dilations: [Int] = [],
                autoPad: AutoPad = .notSet, ceilMode: Bool = false, countIncludePad: Bool = false) {
        self.kernelShape = kernelShape
        self.strides = strides
        self.pads = pads
        self.dilations = dilations
        self.autoPad = autoPad
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }
}

public struct ResizeAttributes: Sendable, Equatable {
    public enum Mode: String, Sendable { case nearest, linear, cubic }
    public enum CoordinateTransformation: String, Sendable {
        case halfPixel = "half_pixel", halfPixelSymmetric = "half_pixel_symmetric",
             pytorchHalfPixel = "pytorch_half_pixel", alignCorners = "align_corners",
             asymmetric, tfCropAndResize = "tf_crop_and_resize"
    }
    public enum NearestMode: String, Sendable {
        case roundPreferFloor = "round_prefer_floor", roundPreferCeil = "round_prefer_ceil", floor, ceil
    }
    public enum AspectRatioPolicy: String, Sendable { case stretch, notLarger = "not_larger", notSmaller = "not_smaller" }

    public var mode: Mode
    public var coordinateTransformation: CoordinateTransformation
    public var nearestMode: NearestMode
    public var cubicCoeffA: Float
    public var excludeOutside: Bool
    public var extrapolationValue: Float
    public var antialias: Bool
    public var axes: [Int]?
    public var keepAspectRatioPolicy: AspectRatioPolicy

    public init(mode: Mode = .nearest, coordinateTransformation: CoordinateTransformation = .halfPixel,
                nearestMode: NearestMode = .roundPreferFloor, cubicCoeffA: Float = -0.75,
                excludeOutside: Bool = false, extrapolationValue: Float = 0, antialias: Bool = false,
                axes: [Int]? = nil, keepAspectRatioPolicy: AspectRatioPolicy = .stretch) {
        self.mode = mode
        self.coordinateTransformation = coordinateTransformation
        self.nearestMode = nearestMode
        self.cubicCoeffA = cubicCoeffA
        self.excludeOutside = excludeOutside
        self.extrapolationValue = extrapolationValue
        self.antialias = antialias
        self.axes = axes
        self.keepAspectRatioPolicy = keepAspectRatioPolicy
    }
}
