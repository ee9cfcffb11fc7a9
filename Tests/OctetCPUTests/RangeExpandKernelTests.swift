import OctetCPU
import OctetIR
import Testing

@Suite struct RangeExpandKernelTests {
    @Test func rangeOfFloats() throws {
        let out = try evaluate(.range, [.scalar(0.5), .scalar(2), .scalar(0.5)])[0]
        #expect(out.shape == [3])
        #expect(out.floatValues() == [0.5, 1, 1.5])
    }

    @Test func rangeOfIntegersWithANegativeStep() throws {
        let scalar = { (v: Int64) in Tensor(shape: [], int64s: [v]) }
        let out = try evaluate(.range, [scalar(10), scalar(-1), scalar(-4)])[0]
        #expect(out.shape == [3])
        #expect(out.storage == .i64([10, 6, 2]))
        let i32 = { (v: Int32) in Tensor(shape: [], int32s: [v]) }
        #expect(try evaluate(.range, [i32(3), i32(1), i32(1)])[0].shape == [0])
    }

    @Test func rangeRefusesAZeroStep() {
        #expect(throws: IRError.self) { try evaluate(.range, [.scalar(0), .scalar(4), .scalar(0)]) }
    }

    @Test func expandRepeatsAlongStretchedAxes() throws {
        let x = Tensor(shape: [3, 1], floats: [1, 2, 3])
        let out = try evaluate(.expand, [x, Tensor(shape: [3], int64s: [2, 1, 2])])[0]
        #expect(out.shape == [2, 3, 2])
        #expect(out.floatValues() == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
    }

    @Test func expandRefusesIncompatibleShapes() {
        let x = Tensor(shape: [3], floats: [1, 2, 3])
        #expect(throws: IRError.self) { try evaluate(.expand, [x, Tensor(shape: [1], int64s: [4])]) }
    }
}
