/// Everything `octet quantize` can be told, with the defaults in one place.
///
/// | setting            | default        | meaning                                                      |
/// |--------------------|----------------|--------------------------------------------------------------|
/// | `mode`             | `auto`         | how activation ranges are chosen                             |
/// | `perChannel`       | true           | weight scales per output channel (false: one per tensor)     |
/// | `weightScale`      | `max`          | `max` or `power2` weight scales                              |
/// | `activations`      | `auto`         | symmetric int8, asymmetric `uint8`, or `auto`: uint8 from 0 for tensors that are never negative (after Relu, Clip from 0, Sigmoid), symmetric int8 for the rest |
/// | `depthwisePerChannel` | true        | a scale per channel for tensors read only by depthwise convs |
/// | `biasCorrection`   | true           | subtract from each conv's bias the mean shift its weight rounding causes |
/// | `equalize`         | true           | even out the channel ranges of linear streams (residual streams without activations) before calibrating, by rescaling the convs that write and read them |
/// | `skipConv`         | [0]            | indices of convolutions left float (TVM's skip_conv_layers)  |
/// | `skipDense`        | false          | leave Gemm/MatMul float (TVM's skip_dense_layer)             |
/// | `exclude`          | []             | node names left float                                        |
/// | `excludeTypes`     | []             | ONNX op types left float                                     |
public struct QuantizationConfig: Sendable, Equatable {
    public enum WeightScale: String, Sendable, CaseIterable { case max, power2 }
    public enum Activations: String, Sendable, CaseIterable { case int8, uint8, auto }

    public var mode: CalibrationMode = .auto
    public var perChannel = true
    public var weightScale: WeightScale = .max
    public var activations: Activations = .auto
    /// Each channel of a depthwise convolution is its own dot product, so a tensor that only depthwise
    /// convolutions read can have a scale per channel at no cost to the integer kernels.
    public var depthwisePerChannel = true
    /// Each convolution's bias corrected by the shift of its output's mean that rounding its weights causes
    /// (the weight error times the input's channel means over the calibration set): weight rounding only,
    /// as NNCF's FastBiasCorrection and AIMET do, never the activations' error.
    public var biasCorrection = true
    /// The channels of each `LinearStream` rescaled before calibration (`StreamEqualization`): exact in
    /// float, and one scale per tensor then fits channels whose ranges differed.
    public var equalize = true
    public var skipConv: [Int] = [0]
    public var skipDense = false
    public var exclude: [String] = []
    public var excludeTypes: [String] = []
    public var calibration = CalibrationSettings()

    public init() {}

    /// The form onnxruntime's CPU provider fuses into its integer kernels: uint8 activations throughout
    /// (its QLinearConv wants input and output of one type) and one scale per tensor.
    public mutating func restrictToOnnxruntime() {
        activations = .uint8
        depthwisePerChannel = false
    }

    /// What TensorRT's explicit quantization accepts: symmetric int8 activations, one scale per tensor.
    public mutating func restrictToTensorRT() {
        activations = .int8
        depthwisePerChannel = false
    }
}
