import OctetIR

/// One op test in the manner of ggml's test-backend-ops: a graph of one node (or the pair a pass always
/// emits together, such as ConvInteger then Requantize), its operands drawn from a seeded `SplitMix64`, and
/// the tolerance its float outputs are held to. A backend runs it and the reference kernels check it.
///
/// Weights and quantization parameters are initializers, since backends pack or fold constants when they
/// compile; activations are graph inputs, fed at run time.
public struct OpCase: Sendable {
    /// How an operand's elements are made.
    public enum Fill: Sendable, Equatable {
        /// f32 uniform in `[low, high)`.
        case uniform(Float, Float)
        /// f32 `k · step` for integers k in the range: exact multiples, which put quantization on its ties.
        case multiples(of: Float, ClosedRange<Int64>)
        /// Integers of `dtype` (i8, u8, i32, i64) uniform in the range.
        case integers(DType, ClosedRange<Int64>)
        /// These values, whatever the seed: scales, zero points, ratios, shapes.
        case tensor(Tensor)
    }

    /// A value the case's graph reads: fed as a graph input, or stored in the graph as an initializer.
    public struct Operand: Sendable, Equatable {
        public var name: String
        public var isInitializer: Bool
        public var shape: [Int]
        public var fill: Fill

        public init(name: String, isInitializer: Bool, shape: [Int], fill: Fill) {
            self.name = name
            self.isInitializer = isInitializer
            self.shape = shape
            self.fill = fill
        }

        /// Activations: a graph input.
        public static func input(_ name: String, _ shape: [Int], _ fill: Fill) -> Operand {
            Operand(name: name, isInitializer: false, shape: shape, fill: fill)
        }

        /// Weights drawn from the seed, as an initializer.
        public static func weight(_ name: String, _ shape: [Int], _ fill: Fill) -> Operand {
            Operand(name: name, isInitializer: true, shape: shape, fill: fill)
        }

        /// A fixed initializer.
        public static func constant(_ name: String, _ tensor: Tensor) -> Operand {
            Operand(name: name, isInitializer: true, shape: tensor.shape, fill: .tensor(tensor))
        }

        public var dtype: DType {
            switch fill {
            case .uniform, .multiples: .f32
            case .integers(let dtype, _): dtype
            case .tensor(let t): t.dtype
            }
        }

        /// The elements, drawn from `rng` (which a fixed tensor leaves untouched).
        func tensor(_ rng: inout SplitMix64) throws(IRError) -> Tensor {
            let count = shape.reduce(1, *)
            switch fill {
            case .uniform(let low, let high):
                return Tensor(shape: shape, floats: (0..<count).map { _ in rng.float(low, high) })
            case .multiples(let step, let range):
                return Tensor(shape: shape, floats: (0..<count).map { _ in Float(rng.integer(range)) * step })
            case .integers(let dtype, let range):
                let values = (0..<count).map { _ in rng.integer(range) }
                switch dtype {
                case .i8: return Tensor(shape: shape, int8s: values.map { Int8(clamping: $0) })
                case .u8: return Tensor(shape: shape, uint8s: values.map { UInt8(clamping: $0) })
                case .i32: return Tensor(shape: shape, int32s: values.map { Int32(clamping: $0) })
                case .i64: return Tensor(shape: shape, int64s: values)
                case .f32, .f16, .bool:
                    throw IRError.invalidGraph("operand \"\(name)\": an integer fill cannot make \(dtype)")
                }
            case .tensor(let t):
                return t
            }
        }
    }

    /// A graph and the inputs to feed it, made for one seed.
    public struct Instance: Sendable {
        public var graph: Graph
        public var inputs: [String: Tensor]
    }

    /// How reports and `--op` name the case: the op, then what varies (`QLinearAdd u8 [1,24,13,11]`).
    public var name: String
    public var nodes: [Node]
    public var operands: [Operand]
    public var tolerance: OpTolerance

    public init(name: String, nodes: [Node], operands: [Operand], tolerance: OpTolerance) {
        self.name = name
        self.nodes = nodes
        self.operands = operands
        self.tolerance = tolerance
    }

    /// A case of one node reading `operands` in order; nil is an omitted optional input.
    public init(_ name: String, _ op: Op, _ operands: [Operand?], tolerance: OpTolerance = .exact) {
        let node = Node(name: "node", op: op, inputs: operands.map { $0?.name ?? "" }, outputs: ["y"])
        self.init(name: name, nodes: [node], operands: operands.compactMap { $0 }, tolerance: tolerance)
    }

    /// The ops under test, joined by "+" for a pair (`ConvInteger+Requantize`).
    public var op: String { nodes.map(\.op.onnxName).joined(separator: "+") }

    /// The graph with its initializers and the inputs to feed, all drawn from `seed`; shapes are inferred and
    /// the graph verified as a loaded model's would be, so a malformed case is an error, not a backend bug.
    public func instantiate(seed: UInt64) throws -> Instance {
        var rng = SplitMix64(seed: seed, stream: name)
        var graph = Graph(name: name, nodes: nodes)
        var inputs: [String: Tensor] = [:]
        for operand in operands {
            let t = try operand.tensor(&rng)
            if operand.isInitializer {
                graph.initializers[operand.name] = t
            } else {
                graph.inputs.append(ValueInfo(name: operand.name, dtype: t.dtype, shape: t.shape.map(Dim.fixed)))
                inputs[operand.name] = t
            }
        }
        let outputs = (nodes.last?.outputs ?? []).filter { !$0.isEmpty }
        graph.outputs = outputs.map { ValueInfo(name: $0, dtype: nil, shape: nil) }
        graph = try graph.inferringShapes()
        try graph.verify()
        return Instance(graph: graph, inputs: inputs)
    }
}
