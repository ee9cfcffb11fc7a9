import OctetIR

/// Emits the nodes of a convolutional classifier and binds each parameter it reads by state-dict key.
///
/// Without weights it only records the parameters (`ParameterSpec`) the network would read. Node and
/// value names follow the PyTorch module paths (`layer1.0.conv1`), so `--exclude` can name them.
public struct NetworkBuilder {
    /// A value flowing through the network with the channel count and spatial size it has.
    public struct Value: Sendable, Equatable {
        public var name: String
        public var channels: Int
        public var height: Int
        public var width: Int
    }

    /// The graph input `input` [batch, 3, size, size].
    public let input: Value
    /// Every parameter read so far, in order.
    public private(set) var parameters: [ParameterSpec] = []
    private var weights: WeightTable?
    private var nodes: [Node] = []
    private var initializers: [String: Tensor] = [:]

    init(inputSize: Int, weights: WeightTable?) {
        self.input = Value(name: "input", channels: 3, height: inputSize, width: inputSize)
        self.weights = weights
    }

    /// Bias-free (unless `bias`) 2-D convolution reading `<key>.weight` [out, in/groups, k, k].
    ///
    /// `pads` are ONNX's [top, left, bottom, right]; nil means k/2 on every side, as PyTorch's `padding=k//2`.
    public mutating func conv(_ x: Value, _ key: String, out: Int, kernel: Int, stride: Int = 1,
                              pads: [Int]? = nil, groups: Int = 1, bias: Bool = false) throws -> Value {
        let pads = pads ?? Array(repeating: kernel / 2, count: 4)
        var inputs = [x.name, try parameter("\(key).weight", [out, x.channels / groups, kernel, kernel])]
        if bias { inputs.append(try parameter("\(key).bias", [out])) }
        let attributes = ConvAttributes(kernelShape: [kernel, kernel], strides: [stride, stride], pads: pads,
                                        dilations: [1, 1], group: groups)
        add(Node(name: key, op: .conv(attributes), inputs: inputs, outputs: [key]))
        return Value(name: key, channels: out,
                     height: (x.height + pads[0] + pads[2] - kernel) / stride + 1,
                     width: (x.width + pads[1] + pads[3] - kernel) / stride + 1)
    }

    /// BatchNormalization reading `<key>.weight`, `.bias`, `.running_mean`, `.running_var` [channels].
    public mutating func batchNorm(_ x: Value, _ key: String, epsilon: Float) throws -> Value {
        let inputs = try [x.name] + ["weight", "bias", "running_mean", "running_var"].map {
            try parameter("\(key).\($0)", [x.channels])
        }
        add(Node(name: key, op: .batchNormalization(epsilon: epsilon), inputs: inputs, outputs: [key]))
        return renamed(x, key)
    }

    /// Relu, named after what it follows (`layer1.0.bn1.relu`).
    public mutating func relu(_ x: Value) -> Value {
        let name = x.name + ".relu"
        add(Node(name: name, op: .unary(.relu), inputs: [x.name], outputs: [name]))
        return renamed(x, name)
    }

    /// ReLU6 as Clip(x, 0, 6), the form the quantizer and the fusion passes recognise.
    public mutating func relu6(_ x: Value) -> Value {
        let name = x.name + ".relu6"
        let low = constant("relu6.min", .scalar(0)), high = constant("relu6.max", .scalar(6))
        add(Node(name: name, op: .clip, inputs: [x.name, low, high], outputs: [name]))
        return renamed(x, name)
    }

    /// The residual sum `a + b`, named `name`.
    public mutating func add(_ a: Value, _ b: Value, name: String) -> Value {
        add(Node(name: name, op: .binary(.add), inputs: [a.name, b.name], outputs: [name]))
        return renamed(a, name)
    }

    /// MaxPool with a square kernel and symmetric padding.
    public mutating func maxPool(_ x: Value, name: String, kernel: Int, stride: Int, pad: Int) -> Value {
        let attributes = PoolAttributes(kernelShape: [kernel, kernel], strides: [stride, stride],
                                        pads: [pad, pad, pad, pad], dilations: [1, 1])
        add(Node(name: name, op: .maxPool(attributes), inputs: [x.name], outputs: [name]))
        let side = { (n: Int) in (n + 2 * pad - kernel) / stride + 1 }
        return Value(name: name, channels: x.channels, height: side(x.height), width: side(x.width))
    }

    /// The classifier head: GlobalAveragePool, Flatten, then Gemm reading `<key>.weight` [classes, C] and `.bias`.
    public mutating func classifier(_ x: Value, _ key: String, classes: Int) throws -> Value {
        let pooled = "\(key).pool", flat = "\(key).flatten"
        add(Node(name: pooled, op: .globalAveragePool, inputs: [x.name], outputs: [pooled]))
        add(Node(name: flat, op: .flatten(axis: 1), inputs: [pooled], outputs: [flat]))
        let weight = try parameter("\(key).weight", [classes, x.channels])
        let bias = try parameter("\(key).bias", [classes])
        add(Node(name: key, op: .gemm(GemmAttributes(transB: true)), inputs: [flat, weight, bias], outputs: [key]))
        return Value(name: key, channels: classes, height: 1, width: 1)
    }

    /// The finished graph: a symbolic batch in, `outputName` [batch, classes] out.
    func graph(name: String, output: Value, outputName: String) -> Graph {
        var nodes = self.nodes
        if let last = nodes.indices.last, nodes[last].outputs == [output.name] {
            nodes[last].outputs = [outputName]
        } else {
            nodes.append(Node(name: outputName, op: .identity, inputs: [output.name], outputs: [outputName]))
        }
        let batch = Dim.symbolic("batch")
        let inputShape: [Dim] = [batch, .fixed(3), .fixed(input.height), .fixed(input.width)]
        return Graph(name: name,
                     inputs: [ValueInfo(name: input.name, dtype: .f32, shape: inputShape)],
                     outputs: [ValueInfo(name: outputName, dtype: .f32, shape: [batch, .fixed(output.channels)])],
                     nodes: nodes, initializers: initializers)
    }

    /// Fails when the weights hold keys no `parameter` call read.
    func checkAllWeightsUsed() throws { try weights?.checkAllUsed() }

    // MARK: - Internals

    /// Records a parameter and, with weights, binds its checked tensor as an initializer of the same name.
    private mutating func parameter(_ key: String, _ shape: [Int]) throws -> String {
        parameters.append(ParameterSpec(key: key, shape: shape))
        if let tensor = try weights?.take(key, shape: shape) {
            initializers[key] = tensor
        }
        return key
    }

    private mutating func constant(_ name: String, _ value: Tensor) -> String {
        if initializers[name] == nil { initializers[name] = value }
        return name
    }

    private mutating func add(_ node: Node) { nodes.append(node) }

    private func renamed(_ x: Value, _ name: String) -> Value {
        Value(name: name, channels: x.channels, height: x.height, width: x.width)
    }
}
