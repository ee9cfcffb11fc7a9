import OctetIR
import Testing

@Suite("Shapes: Range and Expand")
struct RangeExpandShapeTests {
    @Test(arguments: [
        (Int64(0), Int64(10), Int64(3), 4),   // ceiling, not truncation
        (10, 0, -3, 4),
        (0, 10, -1, 0),                       // wrong direction: empty, not negative
        (5, 5, 1, 0),
    ])
    func integerLength(start: Int64, limit: Int64, delta: Int64, expected: Int) {
        #expect(RangeLength.of(start: start, limit: limit, delta: delta) == expected)
    }

    @Test func integerLengthRefusesZeroStepAndOverflow() {
        #expect(RangeLength.of(start: Int64(0), limit: 5, delta: 0) == nil)
        #expect(RangeLength.of(start: Int64.min, limit: Int64.max, delta: 1) == nil)
    }

    @Test func floatLength() {
        #expect(RangeLength.of(start: 1.0, limit: 5, delta: 2) == 2)
        #expect(RangeLength.of(start: 0, limit: 1, delta: 0.3) == 4)
        #expect(RangeLength.of(start: 0.0, limit: 1, delta: 0) == nil)
        #expect(RangeLength.of(start: 0, limit: .infinity, delta: 1) == nil)
    }

    private func range(_ initializers: [String: Tensor], inputs: [(String, DType, [D])] = []) -> Graph {
        makeGraph(inputs: inputs, initializers: initializers,
                  nodes: [Node(name: "n", op: .range, inputs: ["s", "l", "d"], outputs: ["y"])], outputs: ["y"])
    }

    @Test func rangeWithConstantBoundsHasAFixedLength() throws {
        let g = range(["s": .scalar(0), "l": .scalar(40), "d": .scalar(1)])
        #expect(try inferredShape(g) == dims([40]))
        #expect(try g.inferringShapes().valueInfo["y"]?.dtype == .f32)
    }

    @Test func rangeWithARuntimeLimitIsOneDimensional() throws {
        let g = range(["s": .scalar(0), "d": .scalar(1)], inputs: [("l", .f32, [])])
        #expect(try inferredShape(g) == dims(["?"]))
    }

    @Test func rangeFollowsAShapeDimension() throws {
        let g = makeGraph(inputs: [("x", .f32, [1, 3, 8, 20])],
                          initializers: ["s": Tensor(shape: [], int64s: [2]), "i": Tensor(shape: [], int64s: [3]),
                                         "d": Tensor(shape: [], int64s: [5])],
                          nodes: [Node(name: "shape", op: .shape(start: 0, end: nil), inputs: ["x"], outputs: ["sh"]),
                                  Node(name: "w", op: .gather(axis: 0), inputs: ["sh", "i"], outputs: ["l"]),
                                  Node(name: "n", op: .range, inputs: ["s", "l", "d"], outputs: ["y"])],
                          outputs: ["y"])
        #expect(try inferredShape(g) == dims([4]))  // 2, 7, 12, 17
    }

    @Test func rangeRejectsZeroDeltaAndMixedTypes() {
        #expect(irErrorMessage { _ = try range(["s": .scalar(0), "l": .scalar(4), "d": .scalar(0)]).inferringShapes() }
                == #"node "n": delta is zero or the range has no finite length"#)
        let mixed = range(["s": .scalar(0), "l": Tensor(shape: [], int64s: [4]), "d": .scalar(1)])
        #expect(irErrorMessage { _ = try mixed.inferringShapes() } == #"node "n": inputs are f32 and i64, Range needs one type"#)
    }

    @Test func expandBroadcastsAgainstTheShape() throws {
        let g = singleNode(.expand, inputs: [("x", ["N", 3, 1])], initializers: ["s": ints([2, 1, 1, 6])],
                           extraInputs: ["s"])
        #expect(try inferredShape(g) == dims([2, "N", 3, 6]))
    }

    @Test func expandRejectsIncompatibleSizes() {
        let g = singleNode(.expand, inputs: [("x", [3])], initializers: ["s": ints([4])], extraInputs: ["s"])
        #expect(irErrorMessage { _ = try g.inferringShapes() } == #"node "n": cannot expand [3] to [4] (3 vs 4)"#)
    }
}
