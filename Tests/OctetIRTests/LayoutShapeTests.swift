import OctetIR
import Testing

@Suite("Shapes: layout and indexing")
struct LayoutShapeTests {
    @Test func concatAddsTheAxisAndKeepsTheBatchName() throws {
        let g = makeGraph(inputs: [("a", .f32, ["N", 16, 7, 7]), ("b", .f32, ["N", 24, 7, 7])],
                          nodes: [Node(name: "cat", op: .concat(axis: 1), inputs: ["a", "b"], outputs: ["y"])], outputs: ["y"])
        #expect(try inferredShape(g) == dims(["N", 40, 7, 7]))
    }

    @Test func concatRejectsDifferentOtherAxes() {
        let g = makeGraph(inputs: [("a", .f32, [1, 16, 7, 7]), ("b", .f32, [1, 24, 8, 7])],
                          nodes: [Node(name: "cat", op: .concat(axis: 1), inputs: ["a", "b"], outputs: ["y"])], outputs: ["y"])
        #expect(irErrorMessage { _ = try g.inferringShapes() }
                == #"node "cat": inputs [1,16,7,7] and [1,24,8,7] differ on axis 2, which is not the concat axis 1"#)
    }

    @Test(arguments: [
        (Int?.none, [Int64](), 3, [10, 10, 10]),
        (3, [], 3, [4, 4, 2]),   // uneven: the last part is smaller
        (nil, [6, 20, 4], 3, [6, 20, 4]),
    ])
    func split(numOutputs: Int?, sizes: [Int64], outputs: Int, expected: [Int]) throws {
        let size = expected.reduce(0, +)
        let names = (0..<outputs).map { "y\($0)" }
        let g = singleNode(.split(axis: 1, numOutputs: numOutputs), inputs: [("x", ["N", D(integerLiteral: size)])],
                           initializers: sizes.isEmpty ? [:] : ["s": ints(sizes)], extraInputs: sizes.isEmpty ? [] : ["s"],
                           outputs: names)
        let shaped = try g.inferringShapes()
        #expect(names.map { shaped.valueInfo[$0]?.shape } == expected.map { [.symbolic("N"), .fixed($0)] })
    }

    @Test func splitSizesMustAddUp() {
        let g = singleNode(.split(axis: 0, numOutputs: nil), inputs: [("x", [10])], initializers: ["s": ints([3, 3])],
                           extraInputs: ["s"], outputs: ["a", "b"])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": split sizes [3, 3] add up to 6, axis 0 has 10"#)
    }

    @Test(arguments: [
        ([D](["N", 1280, 1, 1]), [Int64]([0, -1]), [D](["N", 1280])),
        ([2, 3, 4], [4, -1], [4, 6]),
        ([2, 3, 4], [-1], [24]),
        (["N", 3, 4], [-1, 12], ["N", 12]),
        (["N", 3, 4], [12, -1], [12, "N"]),
        (["N", 3, 4], [6, -1], [6, "?"]),
        ([2, 0, 3], [0, -1], [2, 0]),
    ])
    func reshape(_ input: [D], _ shape: [Int64], _ expected: [D]) throws {
        let g = singleNode(.reshape(allowZero: false), inputs: [("x", input)], initializers: ["s": ints(shape)], extraInputs: ["s"])
        #expect(try inferredShape(g) == dims(expected))
    }

    @Test func reshapeElementCountMismatch() {
        let g = singleNode(.reshape(allowZero: false), inputs: [("x", [2, 3, 4])], initializers: ["s": ints([5, -1])],
                           extraInputs: ["s"])
        #expect(irErrorMessage { _ = try g.inferringShapes() }
                == #"node "n": cannot reshape [2,3,4] to [5,-1]: 24 elements do not divide by 5"#)
    }

    /// The flatten idiom of exported models: Shape → Gather → Unsqueeze → Concat → Reshape, with a named batch.
    @Test func reshapeFollowsShapeArithmeticWithANamedBatch() throws {
        let g = makeGraph(
            inputs: [("x", .f32, ["N", 32, 7, 7])],
            initializers: ["zero": Tensor(shape: [], int64s: [0]), "axes": ints([0]), "minusOne": ints([-1])],
            nodes: [Node(name: "shape", op: .shape(start: 0, end: nil), inputs: ["x"], outputs: ["s"]),
                    Node(name: "batch", op: .gather(axis: 0), inputs: ["s", "zero"], outputs: ["n"]),
                    Node(name: "unsq", op: .unsqueeze, inputs: ["n", "axes"], outputs: ["n1"]),
                    Node(name: "cat", op: .concat(axis: 0), inputs: ["n1", "minusOne"], outputs: ["target"]),
                    Node(name: "flat", op: .reshape(allowZero: false), inputs: ["x", "target"], outputs: ["y"])],
            outputs: ["y"])
        let shaped = try g.inferringShapes()
        #expect(shaped.valueInfo["s"]?.shape == [.fixed(4)])
        #expect(shaped.valueInfo["n"]?.shape == [])
        #expect(shaped.valueInfo["y"]?.shape == dims(["N", 1568]))
        #expect(shaped.valueInfo["y"]?.dtype == .f32)
    }

    @Test func reshapeToARuntimeShapeKnowsOnlyTheRank() throws {
        let g = makeGraph(inputs: [("x", .f32, [2, 3, 4]), ("s", .i64, [2])],
                          nodes: [Node(name: "r", op: .reshape(allowZero: false), inputs: ["x", "s"], outputs: ["y"])],
                          outputs: ["y"])
        #expect(try inferredShape(g) == dims(["?", "?"]))
        let unknownLength = makeGraph(inputs: [("x", .f32, [2, 3, 4]), ("s", .i64, ["K"])],
                                      nodes: [Node(name: "r", op: .reshape(allowZero: false), inputs: ["x", "s"], outputs: ["y"])],
                                      outputs: ["y"])
        #expect(try inferredShape(unknownLength) == nil)
    }

    @Test(arguments: [
        (1, [D](["N", 3, 4, 5]), [D](["N", 60])),
        (0, ["N", 3], [1, "?"]),
        (-1, [2, 3, 4], [6, 4]),
        (3, [2, 3, 4], [24, 1]),
    ])
    func flatten(axis: Int, input: [D], expected: [D]) throws {
        let g = singleNode(.flatten(axis: axis), inputs: [("x", input)])
        #expect(try inferredShape(g) == dims(expected))
    }

    @Test func transpose() throws {
        let g = singleNode(.transpose(perm: [0, 2, 3, 1]), inputs: [("x", ["N", 3, 4, 5])])
        #expect(try inferredShape(g) == dims(["N", 4, 5, 3]))
        let reversed = singleNode(.transpose(perm: nil), inputs: [("x", ["N", 3, 4])])
        #expect(try inferredShape(reversed) == dims([4, 3, "N"]))
        let bad = singleNode(.transpose(perm: [0, 2, 2]), inputs: [("x", [1, 2, 3])])
        #expect(irErrorMessage { _ = try bad.inferringShapes() } == #"node "n": perm [0, 2, 2] is not a permutation of 0..<3"#)
    }

    @Test func squeezeAndUnsqueeze() throws {
        let squeeze = singleNode(.squeeze, inputs: [("x", ["N", 1, 4, 1])], initializers: ["a": ints([1, -1])], extraInputs: ["a"])
        #expect(try inferredShape(squeeze) == dims(["N", 4]))
        let all = singleNode(.squeeze, inputs: [("x", [1, 4, 1])])
        #expect(try inferredShape(all) == dims([4]))
        let named = singleNode(.squeeze, inputs: [("x", ["N", 4, 1])])
        #expect(try inferredShape(named) == nil)  // N might be 1: never guess
        let unsqueeze = singleNode(.unsqueeze, inputs: [("x", ["N", 4])], initializers: ["a": ints([0, -1])], extraInputs: ["a"])
        #expect(try inferredShape(unsqueeze) == dims([1, "N", 4, 1]))
        let wrong = singleNode(.squeeze, inputs: [("x", [2, 4])], initializers: ["a": ints([0])], extraInputs: ["a"])
        #expect(irErrorMessage { _ = try wrong.inferringShapes() } == #"node "n": cannot squeeze axis 0 of [2,4]: size 2"#)
    }

    @Test func pad() throws {
        let g = singleNode(.pad(mode: .constant), inputs: [("x", ["N", 3, 8, 8])], initializers: ["p": ints([0, 0, 1, 2, 0, 0, 3, 4])],
                           extraInputs: ["p"])
        #expect(try inferredShape(g) == dims(["N", 3, 12, 14]))
        let axes = singleNode(.pad(mode: .reflect), inputs: [("x", ["N", 3, 8, 8])],
                              initializers: ["p": ints([1, 1, 2, 2]), "a": ints([2, 3])], extraInputs: ["p", "", "a"])
        #expect(try inferredShape(axes) == dims(["N", 3, 11, 11]))
    }

    @Test func hostilePadsAreAnErrorNotATrap() {
        let g = singleNode(.pad(mode: .constant), inputs: [("x", [2, 3])], initializers: ["p": ints([Int64.max, 0, Int64.max, 0])],
                           extraInputs: ["p"])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": pads [9223372036854775807, 0, 9223372036854775807, 0] are out of range"#)
        let huge = singleNode(.pad(mode: .constant), inputs: [("x", [2, 3])], initializers: ["p": ints([1 << 50, 0, 0, 0])],
                              extraInputs: ["p"])
        #expect(irErrorMessage { _ = try huge.inferringShapes() } == #"node "n": output "y" would have a dimension of size 1125899906842626"#)
    }

    @Test func padWithRuntimePadsKeepsTheRank() throws {
        let g = makeGraph(inputs: [("x", .f32, ["N", 3, 8, 8]), ("p", .i64, [8])],
                          nodes: [Node(name: "pad", op: .pad(mode: .constant), inputs: ["x", "p"], outputs: ["y"])], outputs: ["y"])
        #expect(try inferredShape(g) == dims(["?", "?", "?", "?"]))
    }

    @Test func slice() throws {
        let g = singleNode(.slice, inputs: [("x", ["N", 16, 10, 10])],
                           initializers: ["s": ints([0, 1]), "e": ints([8, Int64.max]), "a": ints([1, -1]), "st": ints([2, 3])],
                           extraInputs: ["s", "e", "a", "st"])
        #expect(try inferredShape(g) == dims(["N", 4, 10, 3]))
        let reversed = singleNode(.slice, inputs: [("x", [10])],
                                  initializers: ["s": ints([-1]), "e": ints([Int64.min]), "st": ints([-1])],
                                  extraInputs: ["s", "e", "", "st"])
        #expect(try inferredShape(reversed) == dims([10]))
        let wholeNamed = singleNode(.slice, inputs: [("x", ["N", 8])], initializers: ["s": ints([0]), "e": ints([Int64.max]),
                                                                                    "a": ints([0])],
                                    extraInputs: ["s", "e", "a"])
        #expect(try inferredShape(wholeNamed) == dims(["N", 8]))
    }

    @Test func resize() throws {
        let scales = singleNode(.resize(ResizeAttributes()), inputs: [("x", ["N", 8, 10, 15])],
                                initializers: ["sc": floats([1, 1, 2, 0.5])], extraInputs: ["", "sc"])
        #expect(try inferredShape(scales) == dims(["N", 8, 20, 7]))
        let sizes = singleNode(.resize(ResizeAttributes(mode: .linear)), inputs: [("x", [1, 8, 10, 15])],
                               initializers: ["sz": ints([1, 8, 32, 32])], extraInputs: ["", "", "sz"])
        #expect(try inferredShape(sizes) == dims([1, 8, 32, 32]))
        let keep = singleNode(.resize(ResizeAttributes(axes: [2, 3], keepAspectRatioPolicy: .notLarger)),
                              inputs: [("x", [1, 8, 10, 20])], initializers: ["sz": ints([30, 30])], extraInputs: ["", "", "sz"])
        #expect(try inferredShape(keep) == dims([1, 8, 15, 30]))
    }

    @Test func gather() throws {
        let g = singleNode(.gather(axis: 1), inputs: [("x", ["N", 10, 4])], initializers: ["i": Tensor(shape: [2, 3], int64s: [0, 1, 2, 3, 4, -1])],
                           extraInputs: ["i"])
        #expect(try inferredShape(g) == dims(["N", 2, 3, 4]))
        let scalar = singleNode(.gather(axis: 0), inputs: [("x", [5, 7])], initializers: ["i": Tensor(shape: [], int64s: [2])],
                                extraInputs: ["i"])
        #expect(try inferredShape(scalar) == dims([7]))
        let outOfRange = singleNode(.gather(axis: 0), inputs: [("x", [5, 7])], initializers: ["i": ints([5])], extraInputs: ["i"])
        #expect(irErrorMessage { _ = try outOfRange.inferringShapes() } == #"node "n": index 5 is out of range for axis 0 of size 5"#)
    }

    @Test func shapeAndConstantOfShape() throws {
        let g = makeGraph(inputs: [("x", .f32, ["N", 3, 4, 5])],
                          nodes: [Node(name: "s", op: .shape(start: 1, end: -1), inputs: ["x"], outputs: ["s"]),
                                  Node(name: "c", op: .constantOfShape(value: Tensor(shape: [1], int64s: [7])), inputs: ["s"], outputs: ["y"]),
                                  Node(name: "all", op: .shape(start: 0, end: nil), inputs: ["x"], outputs: ["t"]),
                                  Node(name: "z", op: .constantOfShape(value: Tensor(shape: [1], floats: [0])), inputs: ["t"], outputs: ["u"])],
                          outputs: ["y", "u"])
        let shaped = try g.inferringShapes()
        #expect(shaped.valueInfo["s"] == ValueInfo(name: "s", dtype: .i64, shape: [.fixed(2)]))
        #expect(shaped.valueInfo["y"] == ValueInfo(name: "y", dtype: .i64, shape: dims([3, 4])))
        #expect(shaped.valueInfo["u"] == ValueInfo(name: "u", dtype: .f32, shape: dims(["N", 3, 4, 5])))
    }

    @Test func castAndConstant() throws {
        let g = makeGraph(inputs: [("x", .f32, ["N", 3])],
                          nodes: [Node(name: "k", op: .constant(Tensor(shape: [2, 2], int32s: [1, 2, 3, 4])), inputs: [], outputs: ["k"]),
                                  Node(name: "c", op: .cast(to: .f16), inputs: ["x"], outputs: ["y"])],
                          outputs: ["y", "k"])
        let shaped = try g.inferringShapes()
        #expect(shaped.valueInfo["k"] == ValueInfo(name: "k", dtype: .i32, shape: dims([2, 2])))
        #expect(shaped.valueInfo["y"] == ValueInfo(name: "y", dtype: .f16, shape: dims(["N", 3])))
        #expect(shaped.outputs.map(\.shape) == [dims(["N", 3]), dims([2, 2])])
    }
}
