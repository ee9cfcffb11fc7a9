import OctetIR
import Testing

@Suite("Shapes: convolution and pooling")
struct ConvShapeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var op: Op
        var x: [Int]
        var w: [Int]
        var expected: [Int]
        var testDescription: String { label }
    }

    static let convCases: [Case] = [
        Case(label: "stride 2 pad 1", op: .conv(ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1])),
             x: [1, 3, 224, 224], w: [32, 3, 3, 3], expected: [1, 32, 112, 112]),
        Case(label: "depthwise", op: .conv(ConvAttributes(pads: [1, 1, 1, 1], group: 32)),
             x: [1, 32, 56, 56], w: [32, 1, 3, 3], expected: [1, 32, 56, 56]),
        Case(label: "dilated valid", op: .conv(ConvAttributes(dilations: [2, 2])),
             x: [1, 4, 10, 10], w: [8, 4, 3, 3], expected: [1, 8, 6, 6]),
        Case(label: "same upper, odd size", op: .conv(ConvAttributes(strides: [2, 2], autoPad: .sameUpper)),
             x: [1, 3, 225, 224], w: [8, 3, 5, 5], expected: [1, 8, 113, 112]),
        Case(label: "1-d", op: .conv(ConvAttributes(strides: [3])),
             x: [2, 4, 20], w: [6, 4, 2], expected: [2, 6, 7]),
        Case(label: "transpose stride 2", op: .convTranspose(ConvTransposeAttributes(conv: ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1]))),
             x: [1, 16, 20, 20], w: [16, 8, 4, 4], expected: [1, 8, 40, 40]),
        Case(label: "transpose groups and output padding",
             op: .convTranspose(ConvTransposeAttributes(conv: ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1], group: 2),
                                                        outputPadding: [1, 1])),
             x: [1, 4, 5, 5], w: [4, 3, 3, 3], expected: [1, 6, 10, 10]),
    ]

    @Test(arguments: convCases)
    func convolutionOutput(_ c: Case) throws {
        let g = singleNode(c.op, inputs: [("x", c.x.map { D(integerLiteral: $0) })], initializers: ["w": zeros(c.w)],
                           extraInputs: ["w"])
        #expect(try inferredShape(g) == c.expected.map(Dim.fixed))
    }

    @Test func namedBatchAndBias() throws {
        let g = singleNode(.conv(ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1])), inputs: [("x", ["N", 3, 224, 224])],
                           initializers: ["w": zeros([32, 3, 3, 3]), "b": zeros([32])], extraInputs: ["w", "b"])
        let info = try #require(try g.inferringShapes().valueInfo["y"])
        #expect(info.shape == dims(["N", 32, 112, 112]))
        #expect(info.dtype == .f32)
    }

    @Test func namedSpatialSizeSurvivesOnlyWhenUnchanged() throws {
        let same = singleNode(.conv(ConvAttributes(pads: [1, 1, 1, 1])), inputs: [("x", [1, 3, "H", "W"])],
                              initializers: ["w": zeros([8, 3, 3, 3])], extraInputs: ["w"])
        #expect(try inferredShape(same) == dims([1, 8, "H", "W"]))
        let halved = singleNode(.conv(ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1])), inputs: [("x", [1, 3, "H", "W"])],
                                initializers: ["w": zeros([8, 3, 3, 3])], extraInputs: ["w"])
        #expect(try inferredShape(halved) == dims([1, 8, "?", "?"]))
    }

    @Test func weightRankMismatchNamesTheNode() {
        let g = singleNode(.conv(ConvAttributes()), inputs: [("x", [1, 3, 8, 8])], initializers: ["w": zeros([8, 3, 3])],
                           extraInputs: ["w"])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": weight has 3 dims, Conv needs 4"#)
    }

    @Test func channelMismatch() {
        let g = singleNode(.conv(ConvAttributes(group: 2)), inputs: [("x", [1, 6, 8, 8])], initializers: ["w": zeros([8, 2, 3, 3])],
                           extraInputs: ["w"])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": input has 6 channels, weight expects 4 (2 per group × group 2)"#)
    }

    @Test func groupMustDivideOutputChannels() {
        let g = singleNode(.conv(ConvAttributes(group: 3)), inputs: [("x", [1, 3, 8, 8])], initializers: ["w": zeros([8, 1, 3, 3])],
                           extraInputs: ["w"])
        #expect(irErrorMessage { _ = try g.inferringShapes() }?.contains("not divisible by group 3") == true)
    }

    @Test func kernelLargerThanInput() {
        let g = singleNode(.conv(ConvAttributes()), inputs: [("x", [1, 3, 2, 2])], initializers: ["w": zeros([8, 3, 3, 3])],
                           extraInputs: ["w"])
        #expect(irErrorMessage { _ = try g.inferringShapes() }?.hasPrefix(#"node "n": spatial axis 0 has size 2"#) == true)
    }

    @Test(arguments: [
        // (input size, kernel, stride, pads, ceil mode, expected)
        (112, 3, 2, [1, 1, 1, 1], false, 56),
        (112, 3, 2, [0, 0, 0, 0], true, 56),
        (7, 3, 2, [0, 0, 0, 0], true, 3),
        // ceil mode would start a last window entirely in the end padding: it is dropped (5 → 3, not 4).
        (5, 2, 2, [1, 1, 1, 1], true, 3),
        (6, 3, 2, [0, 0, 0, 0], true, 3),
    ])
    func maxPool(size: Int, kernel: Int, stride: Int, pads: [Int], ceil: Bool, expected: Int) throws {
        let op = Op.maxPool(PoolAttributes(kernelShape: [kernel, kernel], strides: [stride, stride], pads: pads, ceilMode: ceil))
        let g = singleNode(op, inputs: [("x", ["N", 16, D(integerLiteral: size), D(integerLiteral: size)])])
        #expect(try inferredShape(g) == dims(["N", 16]) + [.fixed(expected), .fixed(expected)])
    }

    @Test func poolKernelRankMismatch() {
        let g = singleNode(.averagePool(PoolAttributes(kernelShape: [2])), inputs: [("x", [1, 3, 8, 8])])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": kernel_shape has 1 entries, input has 2 spatial dims"#)
    }

    @Test func globalPool() throws {
        let g = singleNode(.globalAveragePool, inputs: [("x", ["batch", 1280, 7, 7])])
        #expect(try inferredShape(g) == dims(["batch", 1280, 1, 1]))
    }
}
