import OctetCPU
import OctetIR
import OctetTestSupport
import Testing

/// A QDQ model on the CPU backend: activation Q/DQ pairs in one float pass, weights dequantized once when
/// the graph is compiled. Both must give exactly what the reference kernels give.
@Suite("QuantizeLinear/DequantizeLinear on the fast path")
struct FakeQuantTests {
    /// Ties both ways, saturation, NaN and infinities, then seeded values; a length with a vector tail.
    static func values(_ count: Int, scale: Float) -> [Float] {
        let special: [Float] = [2.5, -2.5, 3.5, -3.5, 0.5, -0.5, 1.5, 300, -300, 127.5, -128.5, 255.5, .nan,
                                .infinity, -.infinity, 0, -0.0, 1e30, -1e30]
        return special.map { $0 * scale } + seededFloats(count - special.count, seed: 9).map { $0 * 200 * scale }
    }

    static func pair(zeroPoint: Tensor) -> Graph {
        Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: nil)],
              outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
              nodes: [
                  Node(name: "q", op: .quantizeLinear(axis: 1), inputs: ["x", "s", "z"], outputs: ["xq"]),
                  Node(name: "dq", op: .dequantizeLinear(axis: 1), inputs: ["xq", "s", "z"], outputs: ["y"]),
              ],
              initializers: ["s": Tensor(shape: [], floats: [0.037]), "z": zeroPoint])
    }

    @Test("A Q/DQ pair gives the reference kernels' values bit for bit",
          arguments: [Tensor(shape: [], int8s: [0]), Tensor(shape: [], int8s: [-3]), Tensor(shape: [], uint8s: [128])],
          [1, 2])
    func pairMatchesReference(zeroPoint: Tensor, threads: Int) throws {
        let count = 70_003
        let x = Tensor(shape: [1, count], floats: Self.values(count, scale: 0.037))
        let graph = Self.pair(zeroPoint: zeroPoint)
        let backend = CPUBackend(threads: threads)
        let q = try backend.evaluate(graph.nodes[0], inputs: [x, graph.initializers["s"], zeroPoint])[0]
        let expected = try backend.evaluate(graph.nodes[1], inputs: [q, graph.initializers["s"], zeroPoint])[0]
        // The pair ran on the fused kernel, not on the two reference kernels compared against here.
        #expect(backend.kernelNames(graph) == ["fast fake-quant", "folded"])
        let actual = try #require(try backend.compile(graph).run(["x": x])["y"])
        #expect(actual.shape == expected.shape)
        let a = actual.floatValues(), e = expected.floatValues()
        let mismatches = a.indices.filter { a[$0].bitPattern != e[$0].bitPattern }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ; first at \(mismatches.first ?? -1): \(mismatches.first.map { "x \(x.floatValues()[$0]) fast \(a[$0]) reference \(e[$0])" } ?? "")")
        #expect(!a.contains { $0.isNaN })
    }

    /// A scale per channel of axis 1 with one zero point (a tensor only depthwise convolutions read): fused too,
    /// plane by plane, to the reference kernels' bits.
    @Test("A per-channel Q/DQ pair gives the reference kernels' values bit for bit", arguments: [DType.i8, .u8], [1, 2])
    func perChannelPairMatchesReference(dtype: DType, threads: Int) throws {
        let scales = Tensor(shape: [3], floats: [0.037, 0.4, 0.0021])
        let zeros = dtype == .i8 ? Tensor(shape: [3], int8s: [2, 2, 2]) : Tensor(shape: [3], uint8s: [0, 0, 0])
        let graph = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: nil)],
                          outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
                          nodes: [Node(name: "q", op: .quantizeLinear(axis: 1), inputs: ["x", "s", "z"], outputs: ["xq"]),
                                  Node(name: "dq", op: .dequantizeLinear(axis: 1), inputs: ["xq", "s", "z"], outputs: ["y"])],
                          initializers: ["s": scales, "z": zeros])
        let x = Tensor(shape: [2, 3, 97, 101], floats: Self.values(2 * 3 * 97 * 101, scale: 0.037))
        let backend = CPUBackend(threads: threads)
        #expect(backend.kernelNames(graph) == ["fast fake-quant", "folded"])
        let q = try backend.evaluate(graph.nodes[0], inputs: [x, scales, zeros])[0]
        let expected = try backend.evaluate(graph.nodes[1], inputs: [q, scales, zeros])[0]
        let actual = try #require(try backend.compile(graph).run(["x": x])["y"])
        #expect(actual.floatValues().map(\.bitPattern) == expected.floatValues().map(\.bitPattern))
    }

    @Test("A Q output read by another node is kept: the Q runs alone, not fused with its DQ")
    func sharedQuantizedValueStillComputed() throws {
        var graph = Self.pair(zeroPoint: Tensor(shape: [], int8s: [0]))
        graph.outputs.append(ValueInfo(name: "xq", dtype: .i8, shape: nil))
        let x = Tensor(shape: [1, 100], floats: Self.values(100, scale: 0.037))
        #expect(CPUBackend(threads: 2).kernelNames(graph) == ["fast quantize", "reference"])
        let out = try CPUBackend(threads: 2).compile(graph).run(["x": x])
        let q = try #require(out["xq"])
        #expect(q.dtype == .i8)
        let reference = try CPUBackend(threads: 1).evaluate(graph.nodes[0], inputs: [x, graph.initializers["s"], graph.initializers["z"]])[0]
        #expect(q == reference)
        #expect(try #require(out["y"]).floatValues() == q.floatValues().map { $0 * 0.037 })
    }

    /// x -> Q/DQ -> Conv(DQ(w), DQ(b)) -> Relu -> Q/DQ -> y, and the same graph with the dequantized
    /// weights stored as float initializers.
    static func qdqConv() -> (qdq: Graph, float: Graph) {
        var random = SeededRandom(seed: 41)
        let w = random.tensor([6, 4, 3, 3]).floatValues()
        let wScales: [Float] = (0..<6).map { c in (w[(c * 36)..<((c + 1) * 36)].map(abs).max() ?? 1) / 127 }
        let wq = w.enumerated().map { i, v in Int8((v / wScales[i / 36]).rounded(.toNearestOrEven)) }
        let bq: [Int32] = [120, -7, 3000, 0, -450, 88]
        let bScales = wScales.map { $0 * 0.02 }
        let nodes = [
            Node(name: "x_q", op: .quantizeLinear(axis: 1), inputs: ["x", "xs", "xz"], outputs: ["xq"]),
            Node(name: "x_dq", op: .dequantizeLinear(axis: 1), inputs: ["xq", "xs", "xz"], outputs: ["xd"]),
            Node(name: "w_dq", op: .dequantizeLinear(axis: 0), inputs: ["wq", "ws", "wz"], outputs: ["wd"]),
            Node(name: "b_dq", op: .dequantizeLinear(axis: 0), inputs: ["bq", "bs", "bz"], outputs: ["bd"]),
            Node(name: "conv", op: .conv(ConvAttributes(pads: [1, 1, 1, 1])), inputs: ["xd", "wd", "bd"], outputs: ["c"]),
            Node(name: "relu", op: .unary(.relu), inputs: ["c"], outputs: ["r"]),
            Node(name: "r_q", op: .quantizeLinear(axis: 1), inputs: ["r", "rs", "rz"], outputs: ["rq"]),
            Node(name: "r_dq", op: .dequantizeLinear(axis: 1), inputs: ["rq", "rs", "rz"], outputs: ["y"]),
        ]
        let initializers: [String: Tensor] = [
            "xs": Tensor(shape: [], floats: [0.02]), "xz": Tensor(shape: [], int8s: [0]),
            "wq": Tensor(shape: [6, 4, 3, 3], int8s: wq), "ws": Tensor(shape: [6], floats: wScales),
            "wz": Tensor(shape: [6], int8s: [Int8](repeating: 0, count: 6)),
            "bq": Tensor(shape: [6], int32s: bq), "bs": Tensor(shape: [6], floats: bScales),
            "bz": Tensor(shape: [6], int32s: [Int32](repeating: 0, count: 6)),
            "rs": Tensor(shape: [], floats: [0.01]), "rz": Tensor(shape: [], int8s: [0]),
        ]
        let qdq = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(4), .fixed(10), .fixed(12)])],
                        outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)], nodes: nodes, initializers: initializers)
        var float = qdq
        float.nodes.removeAll { $0.name == "w_dq" || $0.name == "b_dq" }
        float.initializers["wd"] = Tensor(shape: [6, 4, 3, 3], floats: wq.enumerated().map { i, q in Float(q) * wScales[i / 36] })
        float.initializers["bd"] = Tensor(shape: [6], floats: bq.enumerated().map { c, q in Float(q) * bScales[c] })
        return (qdq, float)
    }

    @Test("Weights behind DequantizeLinear run like the same float weights", arguments: [1, 2])
    func dequantizedWeightsMatchFloatWeights(threads: Int) throws {
        var random = SeededRandom(seed: 42)
        let feeds = ["x": random.tensor([1, 4, 10, 12])]
        let (qdq, float) = Self.qdqConv()
        let expected = try #require(try CPUBackend(threads: threads).compile(float).run(feeds)["y"])
        let actual = try #require(try CPUBackend(threads: threads).compile(qdq).run(feeds)["y"])
        #expect(actual == expected)
        #expect(Set(actual.floatValues()).count > 20)
        // And node by node on the reference kernels, to the fast kernels' tolerance.
        var values = feeds.merging(qdq.initializers) { a, _ in a }
        for node in qdq.nodes {
            let outputs = try CPUBackend(threads: 1).evaluate(node, inputs: node.inputs.map { values[$0] })
            for (name, t) in zip(node.outputs, outputs) { values[name] = t }
        }
        let reference = try #require(values["y"])
        // One rounding step where the conv's sum lands within float error of a tie; nowhere more.
        #expect(maxAbsDifference(actual.floatValues(), reference.floatValues()) <= 0.01 * 1.0001)
    }
}
