import OctetFormats
import OctetIR

/// One parameter an architecture reads: its state-dict key and the shape the tensor must have.
public struct ParameterSpec: Sendable, Equatable {
    public var key: String
    public var shape: [Int]

    public init(key: String, shape: [Int]) {
        self.key = key
        self.shape = shape
    }
}

/// How the images a network was trained on were prepared: the defaults `octet` should use for it.
public struct InputConvention: Sendable, Equatable {
    /// Side of the square crop the graph's input has.
    public var size: Int
    /// Shorter side the image is resized to before the center crop.
    public var resize: Int
    /// Per-channel (R, G, B) mean and standard deviation on the 0...255 scale.
    public var mean: [Float]
    public var std: [Float]

    /// torchvision's ImageNet normalisation at 224 (resize 256).
    public static let torchvision = InputConvention(size: 224, resize: 256, mean: [123.675, 116.28, 103.53],
                                                    std: [58.395, 57.12, 57.375])
}

/// A network family member that binds a PyTorch state_dict to an Octet graph.
///
/// An architecture describes itself once, into a `NetworkBuilder`; the same description lists the
/// expected keys and shapes and builds the graph, so the two cannot disagree.
public protocol Architecture: Sendable {
    /// The name `--arch` takes (`resnet18`).
    var name: String { get }
    /// The input size and normalisation the published weights expect.
    var input: InputConvention { get }
    /// The classifier's weight, whose first dimension is the number of classes.
    var headKey: String { get }
    /// Emits the network from `builder.input` to the logits, reading every parameter through `builder`.
    func describe(into builder: inout NetworkBuilder, numClasses: Int) throws -> NetworkBuilder.Value
}

extension Architecture {
    /// Every parameter the network reads, in the order it reads them.
    public func expectedParameters(numClasses: Int = 1000) -> [ParameterSpec] {
        var builder = NetworkBuilder(inputSize: input.size, weights: nil)
        // A description only throws on weights it was given; with none, it lists what it would read.
        _ = try? describe(into: &builder, numClasses: numClasses)
        return builder.parameters
    }

    /// The float graph `input` [batch, 3, H, W] -> `logits` [batch, classes] with `weights` bound.
    ///
    /// `weights` keys must already match the architecture (see `KeyPrefix`). The class count comes
    /// from the head's weight; `numClasses`, when given, must agree with it.
    public func build(weights: StateDict, numClasses: Int? = nil) throws -> Graph {
        let classes = try classCount(in: weights, requested: numClasses)
        var builder = NetworkBuilder(inputSize: input.size, weights: WeightTable(weights))
        let logits = try describe(into: &builder, numClasses: classes)
        try builder.checkAllWeightsUsed()
        return builder.graph(name: name, output: logits, outputName: "logits")
    }

    /// The class count the head's weight implies, checked against the one asked for.
    private func classCount(in weights: StateDict, requested: Int?) throws -> Int {
        if let requested, requested < 1 {
            throw ModelError("the number of classes must be at least 1, not \(requested)")
        }
        guard let head = weights[headKey], head.rank == 2 else {
            // Missing or misshapen: the key check names it with the expected shape.
            return requested ?? 1000
        }
        let found = head.shape[0]
        if let requested, requested != found {
            throw ModelError("\(headKey) \(head.shape.shapeText) holds \(found) classes, \(requested) were asked for")
        }
        return found
    }
}
