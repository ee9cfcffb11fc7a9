import OctetCPU
import OctetIR
import OctetTestSupport
import Testing

/// The integer reference kernels against independent computations, and the fast integer steps against them.
@Suite struct IntegerReferenceTests {
    /// Seeded integers in `range`.
    static func integers(_ count: Int, _ range: ClosedRange<Int32>, seed: UInt64) -> [Int32] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let span = UInt64(range.upperBound - range.lowerBound + 1)
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return range.lowerBound + Int32(state % span)
        }
    }

    static func int8(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor(shape: shape, int8s: integers(shape.reduce(1, *), -128...127, seed: seed).map { Int8($0) })
    }

    static func uint8(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor(shape: shape, uint8s: integers(shape.reduce(1, *), 0...255, seed: seed).map { UInt8($0) })
    }

    /// ConvInteger equals a float Conv of (x - zx) and (w - zw) plus the bias: small integers, so the float
    /// sums are exact.
    @Test(arguments: [
        ConvAttributes(pads: [1, 1, 1, 1]),
        ConvAttributes(strides: [2, 2], pads: [0, 1, 1, 0]),
        ConvAttributes(pads: [1, 1, 1, 1], group: 3),
        ConvAttributes(pads: [1, 1, 1, 1], group: 6),
    ])
    func convIntegerMatchesFloatConv(_ attributes: ConvAttributes) throws {
        let x = Self.uint8([2, 6, 7, 9], seed: 1)
        let w = Self.int8([6, 6 / attributes.group, 3, 3], seed: 2)
        let wz = Tensor(shape: [6], int8s: [0, 1, -2, 3, 0, -1])
        let xz = Tensor(shape: [], uint8s: [131])
        let bias = Tensor(shape: [6], int32s: Self.integers(6, -5000...5000, seed: 3))
        let acc = try evaluate(.convInteger(attributes), [x, w, bias, xz, wz])[0]
        #expect(acc.dtype == .i32)
        let xf = Tensor(shape: x.shape, floats: x.floatValues().map { $0 - 131 })
        let wf = Tensor(shape: w.shape, floats: w.floatValues().enumerated().map { i, v in
            v - Float(wz.int64Values()[i / (w.count / 6)])
        })
        let expected = try evaluate(.conv(attributes), [xf, wf, Tensor(shape: [6], floats: bias.floatValues())])[0]
        #expect(acc.shape == expected.shape)
        #expect(acc.floatValues() == expected.floatValues())
    }

    @Test func matMulIntegerMatchesFloatMatMul() throws {
        let a = Self.int8([3, 2, 37], seed: 4), b = Self.int8([37, 11], seed: 5)
        let az = Tensor(shape: [], int8s: [-7]), bz = Tensor(shape: [], int8s: [2])
        let acc = try evaluate(.matMulInteger, [a, b, nil, az, bz])[0]
        let af = Tensor(shape: a.shape, floats: a.floatValues().map { $0 + 7 })
        let bf = Tensor(shape: b.shape, floats: b.floatValues().map { $0 - 2 })
        let expected = try evaluate(.matMul, [af, bf])[0]
        #expect(acc.shape == [3, 2, 11])
        #expect(acc.floatValues() == expected.floatValues())
    }

    /// Per-channel ratios run along the axis given, for rank-4 (conv) and rank-2 (dense, axis -1) outputs.
    /// Worked by hand in float32: 250 × [0.01, 0.05, 0.003] = [2.5, 12.5, 0.75] (two ties, to even),
    /// 1000 × … = [10, 50, 3], −500 × … = [−5, −25, −1.5], 20000 × … = [200, 1000, 60]; then the zero
    /// point and the bounds.
    @Test func requantizeAppliesRatioPerChannel() throws {
        let accumulators: [Int32] = [250, 1000, -500, 20000]
        let ratios = Tensor(shape: [3], floats: [0.01, 0.05, 0.003])
        let acc = Tensor(shape: [1, 3, 2, 2], int32s: Array([[Int32]](repeating: accumulators, count: 3).joined()))
        let y = try evaluate(.requantize(RequantizeAttributes(axis: 1, bounds: IntegerBounds(lower: 100))),
                             [acc, ratios, Tensor(shape: [], uint8s: [100])])[0]
        #expect(y.dtype == .u8)
        #expect(y.int64Values() == [102, 110, 100, 255, /**/ 112, 150, 100, 255, /**/ 101, 103, 100, 160])

        let dense = Tensor(shape: [4, 3], int32s: accumulators.flatMap { [$0, $0, $0] })
        let yd = try evaluate(.requantize(RequantizeAttributes(axis: -1)), [dense, ratios, Tensor(shape: [], int8s: [-3])])[0]
        #expect(yd.int64Values() == [-1, 9, -2, /**/ 7, 47, 0, /**/ -8, -28, -5, /**/ 127, 127, 57])
    }

    @Test func requantizeRejectsBadRatios() {
        let acc = Tensor(shape: [2], int32s: [1, 2])
        for bad: Float in [0, -1, .nan, .infinity] {
            #expect(throws: IRError.self) {
                try evaluate(.requantize(RequantizeAttributes()), [acc, .scalar(bad), Tensor(shape: [], int8s: [0])])
            }
        }
    }

    /// QLinearAdd broadcasts like Add: b's [3, 1] runs along a's axis 1. The rule itself is held to worked
    /// values (`RequantizeTests.qlinearAddWorkedValues`) and to onnxruntime's bits (the add fixtures); here
    /// it only locates each element's operands.
    @Test func qlinearAddBroadcasts() throws {
        let a = Self.int8([2, 3, 4], seed: 8), b = Self.int8([3, 1], seed: 9)
        let params: [Tensor] = [.scalar(0.02), Tensor(shape: [], int8s: [5]), .scalar(0.03), Tensor(shape: [], int8s: [-9]),
                                .scalar(0.04), Tensor(shape: [], int8s: [1])]
        let y = try evaluate(.qlinearAdd(IntegerBounds()), [a, params[0], params[1], b, params[2], params[3], params[4], params[5]])[0]
        let rule = QLinearRules.Add(a: (0.02, 5), b: (0.03, -9), y: (0.04, 1), bounds: (-128, 127), signed: true)
        let av = a.int64Values(), bv = b.int64Values()
        let expected = (0..<24).map { i in rule.apply(Int32(av[i]), Int32(bv[(i / 4) % 3])) }
        #expect(y.shape == [2, 3, 4])
        #expect(y.int64Values().map(Int32.init) == expected)
    }

    @Test func fastGlobalAveragePoolMatchesReference() throws {
        let x = Self.int8([2, 40, 7, 7], seed: 15)
        let initializers: [String: Tensor] = ["sx": .scalar(0.031), "zx": Tensor(shape: [], int8s: [-5]), "sy": .scalar(0.007),
                                              "zy": Tensor(shape: [], int8s: [3])]
        let node = Node(name: "gap", op: .qlinearGlobalAveragePool, inputs: ["x", "sx", "zx", "sy", "zy"], outputs: ["y"])
        let graph = Graph(inputs: [ValueInfo(name: "x", dtype: .i8, shape: nil)], outputs: [ValueInfo(name: "y", dtype: .i8, shape: nil)],
                          nodes: [node], initializers: initializers)
        let backend = CPUBackend(threads: 2)
        #expect(backend.kernelNames(graph) == ["fast integer global average pool"])
        let fast = try backend.compile(graph).run(["x": x])["y"]!
        let reference = try backend.evaluate(node, inputs: [x] + ["sx", "zx", "sy", "zy"].map { initializers[$0] })[0]
        #expect(fast == reference)
    }

    /// Worked values: a plane of 10s (x scale 0.1, zero point 7) averages to 0.3, which is 6 steps of 0.05
    /// over zero point 3: 9; a plane of 13s gives 0.6: 15. Each plane is its own average.
    @Test func qlinearGlobalAveragePoolAveragesPlanes() throws {
        let x = Tensor(shape: [1, 2, 3, 3], uint8s: [UInt8](repeating: 10, count: 9) + [UInt8](repeating: 13, count: 9))
        let y = try evaluate(.qlinearGlobalAveragePool, [x, .scalar(0.1), Tensor(shape: [], uint8s: [7]), .scalar(0.05),
                                                        Tensor(shape: [], uint8s: [3])])[0]
        #expect(y.shape == [1, 2, 1, 1])
        #expect(y.int64Values() == [9, 15])
    }

    // MARK: Fast integer steps

    @Test("MaxPool on int8 and uint8: the fast kernel gives the reference's values",
          arguments: [PoolAttributes(kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
                      PoolAttributes(kernelShape: [2, 2], strides: [2, 2])])
    func integerMaxPool(_ attributes: PoolAttributes) throws {
        for x in [Self.int8([1, 5, 17, 19], seed: 13), Self.uint8([2, 3, 16, 16], seed: 14)] {
            let fast = try #require(FastMaxPool.run(x, attributes, threads: 2))
            let node = Node(name: "p", op: .maxPool(attributes), inputs: ["x"], outputs: ["y"])
            let graph = Graph(inputs: [ValueInfo(name: "x", dtype: x.dtype, shape: nil)],
                              outputs: [ValueInfo(name: "y", dtype: nil, shape: nil)], nodes: [node])
            #expect(CPUBackend(threads: 1).supports(node, in: graph) == .supported)
            // The plain loops of the reference, through a float copy (max commutes with the exact conversion).
            let reference = try evaluate(.maxPool(attributes), [Tensor(shape: x.shape, floats: x.floatValues())])[0]
            #expect(fast.dtype == x.dtype)
            #expect(fast.floatValues() == reference.floatValues())
        }
    }

    static func quantizeGraph(_ zeroPoint: Tensor) -> Graph {
        Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: nil)],
              outputs: [ValueInfo(name: "y", dtype: zeroPoint.dtype, shape: nil)],
              nodes: [Node(name: "q", op: .quantizeLinear(axis: 1), inputs: ["x", "s", "z"], outputs: ["y"])],
              initializers: ["s": .scalar(0.037), "z": zeroPoint])
    }

    @Test("QuantizeLinear on the fast path gives the reference's bits",
          arguments: [Tensor(shape: [], int8s: [0]), Tensor(shape: [], int8s: [-3]), Tensor(shape: [], uint8s: [128])],
          [1, 2])
    func fastQuantizeMatchesReference(zeroPoint: Tensor, threads: Int) throws {
        let graph = Self.quantizeGraph(zeroPoint)
        let backend = CPUBackend(threads: threads)
        #expect(backend.kernelNames(graph) == ["fast quantize"])
        let x = Tensor(shape: [1, 70_003], floats: FakeQuantTests.values(70_003, scale: 0.037))
        let fast = try backend.compile(graph).run(["x": x])["y"]!
        let reference = try evaluate(.quantizeLinear(axis: 1), [x, .scalar(0.037), zeroPoint], threads: threads)[0]
        #expect(fast == reference)
    }

    /// A scale per channel of axis 1 with one zero point (a tensor only depthwise convolutions read): the fast
    /// kernel quantizes plane by plane with each channel's scale, to the reference's bits.
    @Test("Per-channel QuantizeLinear on the fast path gives the reference's bits",
          arguments: [DType.i8, .u8], [1, 2])
    func fastPerChannelQuantizeMatchesReference(dtype: DType, threads: Int) throws {
        let channels = 5
        let scales = Tensor(shape: [channels], floats: [0.037, 0.5, 0.0011, 0.09, 2.5])
        let zeros = dtype == .i8 ? Tensor(shape: [channels], int8s: Array(repeating: -3, count: channels))
            : Tensor(shape: [channels], uint8s: Array(repeating: 0, count: channels))
        let graph = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: nil)],
                          outputs: [ValueInfo(name: "y", dtype: dtype, shape: nil)],
                          nodes: [Node(name: "q", op: .quantizeLinear(axis: 1), inputs: ["x", "s", "z"], outputs: ["y"])],
                          initializers: ["s": scales, "z": zeros])
        let backend = CPUBackend(threads: threads)
        #expect(backend.kernelNames(graph) == ["fast quantize"])
        let x = Tensor(shape: [2, channels, 61, 67], floats: FakeQuantTests.values(2 * channels * 61 * 67, scale: 0.037))
        let fast = try backend.compile(graph).run(["x": x])["y"]!
        let reference = try evaluate(.quantizeLinear(axis: 1), [x, scales, zeros], threads: threads)[0]
        #expect(fast == reference)
        // The channels really differ: one scale for all would give other integers.
        let oneZero = dtype == .i8 ? Tensor(shape: [], int8s: [-3]) : Tensor(shape: [], uint8s: [0])
        let perTensor = try evaluate(.quantizeLinear(axis: 1), [x, .scalar(0.037), oneZero], threads: threads)[0]
        #expect(fast != perTensor)
    }

    @Test("QLinearAdd on the fast path gives the reference's bits on every instruction set",
          arguments: [DType.i8, .u8], [1, 2])
    func fastAddMatchesReference(dtype: DType, threads: Int) throws {
        for isa in KernelISA.allCases where KernelRun(isa: isa, threads: threads).isAvailable {
            try KernelISA.$requested.withValue(isa) { try fastAddMatchesReference(dtype: dtype, threads: threads, isa: isa) }
        }
    }

    private func fastAddMatchesReference(dtype: DType, threads: Int, isa: KernelISA) throws {
        // 8 x 91 x 97 values: a ragged end after the 16- and 8-value steps.
        let shape = [1, 8, 91, 97]
        let (a, b) = dtype == .i8 ? (Self.int8(shape, seed: 11), Self.int8(shape, seed: 12))
            : (Self.uint8(shape, seed: 11), Self.uint8(shape, seed: 12))
        func zp(_ v: Int32) -> Tensor {
            dtype == .i8 ? Tensor(shape: [], int8s: [Int8(v)]) : Tensor(shape: [], uint8s: [UInt8(v + 100)])
        }
        let initializers: [String: Tensor] = ["sa": .scalar(0.0213), "za": zp(3), "sb": .scalar(0.0171), "zb": zp(-4),
                                              "sy": .scalar(0.0297), "zy": zp(1)]
        let bounds = IntegerBounds(lower: dtype == .i8 ? 1 : 101)
        let graph = Graph(inputs: [ValueInfo(name: "a", dtype: dtype, shape: nil), ValueInfo(name: "b", dtype: dtype, shape: nil)],
                          outputs: [ValueInfo(name: "y", dtype: dtype, shape: nil)],
                          nodes: [Node(name: "add", op: .qlinearAdd(bounds), inputs: ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"],
                                       outputs: ["y"])],
                          initializers: initializers)
        let backend = CPUBackend(threads: threads)
        #expect(backend.kernelNames(graph) == ["fast integer add"])
        let fast = try backend.compile(graph).run(["a": a, "b": b])["y"]!
        let names = ["sa", "za", "sb", "zb", "sy", "zy"]
        let reference = try evaluate(.qlinearAdd(bounds), [a] + names[0..<2].map { initializers[$0] } + [b]
                                     + names[2...].map { initializers[$0] }, threads: threads)[0]
        #expect(fast == reference, "\(isa)")
    }
}
