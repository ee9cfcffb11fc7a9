import OctetIR
import Testing

@Suite("Shapes: dense, elementwise, normalization, quantization")
struct ArithmeticShapeTests {
    @Test(arguments: [
        (GemmAttributes(), [D]([4, 8]), [D]([8, 16]), [D]([4, 16])),
        (GemmAttributes(transB: true), ["N", 1280], [1000, 1280], ["N", 1000]),
        (GemmAttributes(transA: true, transB: true), [8, 4], [16, 8], [4, 16]),
    ])
    func gemm(_ a: GemmAttributes, _ lhs: [D], _ rhs: [D], _ expected: [D]) throws {
        let g = singleNode(.gemm(a), inputs: [("a", lhs), ("b", rhs)])
        #expect(try inferredShape(g) == dims(expected))
    }

    @Test func gemmInnerSizeMismatch() {
        let g = singleNode(.gemm(GemmAttributes(transB: true)), inputs: [("a", [2, 8]), ("b", [4, 7])])
        #expect(irErrorMessage { _ = try g.inferringShapes() }?.hasPrefix(#"node "n": A [2,8] and B [4,7]ᵀ disagree"#) == true)
    }

    @Test func gemmBiasMustBroadcast() {
        let g = singleNode(.gemm(GemmAttributes()), inputs: [("a", [2, 8]), ("b", [8, 4]), ("c", [3])])
        #expect(irErrorMessage { _ = try g.inferringShapes() }?.contains("C [3] does not broadcast") == true)
    }

    @Test(arguments: [
        ([D]([2, 3, 4]), [D]([4, 5]), [D]([2, 3, 5])),
        (["B", 1, 3, 4], [7, 4, 6], ["B", 7, 3, 6]),
        ([4], [4, 5], [5]),
        ([2, 3, 4], [4], [2, 3]),
        ([4], [4], []),
    ])
    func matMul(_ a: [D], _ b: [D], _ expected: [D]) throws {
        let g = singleNode(.matMul, inputs: [("a", a), ("b", b)])
        #expect(try inferredShape(g) == dims(expected))
    }

    @Test func matMulInnerMismatch() {
        let g = singleNode(.matMul, inputs: [("a", [2, 3]), ("b", [4, 5])])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": [2,3] × [4,5]: inner sizes 3 and 4 differ"#)
    }

    @Test(arguments: [
        ([D](["N", 3, 1, 1]), [D]([3, 4, 5]), [D](["N", 3, 4, 5])),
        ([1], ["N", 8], ["N", 8]),
        (["N", 8], ["N", 1], ["N", 8]),
        (["N", 8], ["M", 8], ["?", 8]),
        (["N", 8], [5, 8], [5, 8]),
        ([], [2, 2], [2, 2]),
    ])
    func broadcasting(_ a: [D], _ b: [D], _ expected: [D]) throws {
        let g = singleNode(.binary(.add), inputs: [("a", a), ("b", b)])
        #expect(try inferredShape(g) == dims(expected))
    }

    @Test func broadcastMismatch() {
        let g = singleNode(.binary(.mul), inputs: [("a", [2, 3]), ("b", [4, 3])])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": cannot broadcast [2,3] with [4,3] (2 vs 4)"#)
    }

    @Test func binaryTypesMustAgree() {
        let g = makeGraph(inputs: [("a", .f32, [2]), ("b", .i64, [2])],
                          nodes: [Node(name: "add", op: .binary(.add), inputs: ["a", "b"], outputs: ["y"])], outputs: ["y"])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "add": inputs are f32 and i64, Add needs one type"#)
    }

    @Test(arguments: [Op.unary(.relu), .unary(.hardSwish), .leakyRelu(alpha: 0.1), .hardSigmoid(alpha: 0.2, beta: 0.5),
                      .clip, .softmax(axis: -1), .identity, .dropout])
    func shapePreserving(_ op: Op) throws {
        let g = singleNode(op, inputs: [("x", ["N", 10])])
        let info = try #require(try g.inferringShapes().valueInfo["y"])
        #expect(info.shape == dims(["N", 10]))
        #expect(info.dtype == .f32)
    }

    @Test func softmaxAxisOutOfRange() {
        let g = singleNode(.softmax(axis: 2), inputs: [("x", [1, 10])])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": axis 2 is out of range for rank 2"#)
    }

    @Test func batchNormalization() throws {
        let params = ["s": zeros([16]), "b": zeros([16]), "m": zeros([16]), "v": zeros([16])]
        let g = singleNode(.batchNormalization(epsilon: 1e-5), inputs: [("x", ["N", 16, 7, 7])], initializers: params,
                           extraInputs: ["s", "b", "m", "v"])
        #expect(try inferredShape(g) == dims(["N", 16, 7, 7]))
        let wrong = singleNode(.batchNormalization(epsilon: 1e-5), inputs: [("x", ["N", 8, 7, 7])], initializers: params,
                               extraInputs: ["s", "b", "m", "v"])
        #expect(irErrorMessage { _ = try wrong.inferringShapes() } == #"node "n": scale has shape [16], input has 8 channels"#)
    }

    @Test(arguments: [
        ([Int64]([2, 3]), true, [D](["N", 8, 1, 1])),
        ([-1], false, ["N", 8, 5]),
        ([], true, [1, 1, 1, 1]),
    ])
    func reduceMean(axes: [Int64], keepDims: Bool, expected: [D]) throws {
        let g = singleNode(.reduceMean(keepDims: keepDims, noopWithEmptyAxes: false), inputs: [("x", ["N", 8, 5, 6])],
                           initializers: axes.isEmpty ? [:] : ["axes": ints(axes)], extraInputs: axes.isEmpty ? [] : ["axes"])
        #expect(try inferredShape(g) == dims(expected))
    }

    @Test func reduceMeanWithRuntimeAxesKeepsOnlyTheRank() throws {
        let axes = makeGraph(inputs: [("x", .f32, [2, 8, 5]), ("axes", .i64, [1])],
                             nodes: [Node(name: "r", op: .reduceMean(keepDims: true, noopWithEmptyAxes: false),
                                          inputs: ["x", "axes"], outputs: ["y"])], outputs: ["y"])
        #expect(try inferredShape(axes) == dims(["?", "?", "?"]))
    }

    @Test func quantizeAndDequantize() throws {
        let g = makeGraph(inputs: [("x", .f32, ["N", 4, 3, 3])],
                          initializers: ["s": floats([0.1, 0.2, 0.3, 0.4]), "zp": Tensor(shape: [4], int8s: [0, 0, 0, 0]),
                                         "s0": Tensor.scalar(0.5)],
                          nodes: [Node(name: "q", op: .quantizeLinear(axis: 1), inputs: ["x", "s", "zp"], outputs: ["q"]),
                                  Node(name: "dq", op: .dequantizeLinear(axis: 1), inputs: ["q", "s", "zp"], outputs: ["y"]),
                                  Node(name: "q8", op: .quantizeLinear(axis: 1), inputs: ["x", "s0"], outputs: ["u"])],
                          outputs: ["y", "u"])
        let shaped = try g.inferringShapes()
        #expect(shaped.valueInfo["q"] == ValueInfo(name: "q", dtype: .i8, shape: dims(["N", 4, 3, 3])))
        #expect(shaped.valueInfo["y"] == ValueInfo(name: "y", dtype: .f32, shape: dims(["N", 4, 3, 3])))
        #expect(shaped.valueInfo["u"]?.dtype == .u8)
    }

    @Test func perAxisScaleMustMatchTheAxis() {
        let g = makeGraph(inputs: [("x", .f32, [1, 4, 3, 3])], initializers: ["s": floats([0.1, 0.2, 0.3])],
                          nodes: [Node(name: "q", op: .quantizeLinear(axis: 1), inputs: ["x", "s"], outputs: ["y"])],
                          outputs: ["y"])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "q": scale has 3 elements, axis 1 of the input has 4"#)
    }
}
