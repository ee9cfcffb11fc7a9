import OctetCPU
import OctetIR
import Testing

/// Kernels on small worked examples, and the dense ones against textbook loops.
@Suite struct KernelTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesNaiveLoops(_ transA: Bool, _ transB: Bool) throws {
        let (m, k, n) = (5, 7, 300)
        let a = seededFloats(m * k, seed: 10), b = seededFloats(k * n, seed: 11), c = seededFloats(n, seed: 12)
        func at(_ i: Int, _ p: Int) -> Float { transA ? a[p * m + i] : a[i * k + p] }
        func bt(_ p: Int, _ j: Int) -> Float { transB ? b[j * k + p] : b[p * n + j] }
        let out = try evaluate(.gemm(GemmAttributes(alpha: 0.5, beta: 2, transA: transA, transB: transB)),
                               [Tensor(shape: transA ? [k, m] : [m, k], floats: a),
                                Tensor(shape: transB ? [n, k] : [k, n], floats: b), Tensor(shape: [n], floats: c)])[0]
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s: Float = 0
            for p in 0..<k { s += at(i, p) * bt(p, j) }
            expected[i * n + j] = 0.5 * s + 2 * c[j]
        } }
        #expect(out.shape == [m, n])
        #expect(maxAbsDifference(out.floatValues(), expected) < 1e-5)
    }

    @Test func matMulBroadcastsBatchesAndDropsVectorAxes() throws {
        let a = seededFloats(2 * 1 * 3 * 4, seed: 13), b = seededFloats(3 * 4 * 2, seed: 14)
        let out = try evaluate(.matMul, [Tensor(shape: [2, 1, 3, 4], floats: a), Tensor(shape: [3, 4, 2], floats: b)])[0]
        #expect(out.shape == [2, 3, 3, 2])
        let values = out.floatValues()
        for i in 0..<2 { for j in 0..<3 { for r in 0..<3 { for c in 0..<2 {
            var s: Float = 0
            for p in 0..<4 { s += a[(i * 3 + r) * 4 + p] * b[(j * 4 + p) * 2 + c] }
            #expect(abs(values[((i * 3 + j) * 3 + r) * 2 + c] - s) < 1e-5)
        } } } }
        let v = try evaluate(.matMul, [Tensor(shape: [4], floats: Array(a[0..<4])), Tensor(shape: [4], floats: Array(b[0..<4]))])[0]
        #expect(v.shape == [])
    }

    /// The table in Quantize.swift's documentation, run.
    @Test(arguments: [(Float(2.5), Int8(2)), (-2.5, -2), (3.5, 4), (300, 127), (-1000, -128)])
    func quantizeRoundsHalfToEvenAndSaturates(_ x: Float, _ q: Int8) throws {
        let out = try evaluate(.quantizeLinear(axis: 1), [Tensor(shape: [1], floats: [x]), .scalar(1),
                                                          Tensor(shape: [], int8s: [0])])[0]
        #expect(out.storage == .i8([q]))
    }

    @Test func quantizePerAxisUsesEachChannelsScaleAndZeroPoint() throws {
        let x = Tensor(shape: [1, 2, 2], floats: [1, 2, 1, 2])
        let out = try evaluate(.quantizeLinear(axis: 1), [x, Tensor(shape: [2], floats: [0.5, 2]),
                                                          Tensor(shape: [2], uint8s: [128, 10])])[0]
        #expect(out.storage == .u8([130, 132, 10, 11]))
        let back = try evaluate(.dequantizeLinear(axis: 1), [out, Tensor(shape: [2], floats: [0.5, 2]),
                                                             Tensor(shape: [2], uint8s: [128, 10])])[0]
        #expect(back.storage == .f32([1, 2, 0, 2]))
    }

    @Test(arguments: [(PadMode.constant, [Int32](arrayLiteral: 9, 9, 1, 2, 3, 9)), (.reflect, [3, 2, 1, 2, 3, 2]),
                      (.edge, [1, 1, 1, 2, 3, 3]), (.wrap, [2, 3, 1, 2, 3, 1])])
    func padModes(_ mode: PadMode, _ expected: [Int32]) throws {
        let out = try evaluate(.pad(mode: mode), [Tensor(shape: [3], int32s: [1, 2, 3]), Tensor(shape: [2], int64s: [2, 1]),
                                                  Tensor(shape: [], int32s: [9])])[0]
        #expect(out.storage == .i32(expected))
    }

    @Test func sliceWithNegativeStepAndSentinelBounds() throws {
        let x = Tensor(shape: [2, 5], int64s: Array(0..<10))
        let out = try evaluate(.slice, [x, Tensor(shape: [1], int64s: [-1]), Tensor(shape: [1], int64s: [Int64.min]),
                                        Tensor(shape: [1], int64s: [1]), Tensor(shape: [1], int64s: [-2])])[0]
        #expect(out.shape == [2, 3])
        #expect(out.storage == .i64([4, 2, 0, 9, 7, 5]))
    }

    @Test func gatherTakesNegativeIndicesFromTheEnd() throws {
        let out = try evaluate(.gather(axis: 1), [Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6]),
                                                  Tensor(shape: [2], int64s: [-1, 0])])[0]
        #expect(out.shape == [2, 2])
        #expect(out.storage == .f32([3, 1, 6, 4]))
        #expect(throws: IRError.self) {
            try evaluate(.gather(axis: 0), [Tensor(shape: [2], floats: [1, 2]), Tensor(shape: [1], int64s: [2])])
        }
    }

    @Test func reshapeCopiesZerosAndInfersMinusOne() throws {
        let x = Tensor(shape: [2, 3, 4], floats: seededFloats(24, seed: 1))
        let out = try evaluate(.reshape(allowZero: false), [x, Tensor(shape: [2], int64s: [0, -1])])[0]
        #expect(out.shape == [2, 12])
        #expect(throws: IRError.self) {
            try evaluate(.reshape(allowZero: false), [x, Tensor(shape: [2], int64s: [5, -1])])
        }
    }

    @Test func integerAddWrapsAndBroadcasts() throws {
        let out = try evaluate(.binary(.add), [Tensor(shape: [2, 1], int8s: [127, -128]), Tensor(shape: [2], int8s: [1, -1])])[0]
        #expect(out.shape == [2, 2])
        #expect(out.storage == .i8([-128, 126, -127, 127]))
    }

    @Test func nearestResizeRepeatsPixels() throws {
        let x = Tensor(shape: [1, 1, 2, 2], uint8s: [1, 2, 3, 4])
        let out = try evaluate(.resize(ResizeAttributes(coordinateTransformation: .asymmetric, nearestMode: .floor)),
                               [x, nil, Tensor(shape: [4], floats: [1, 1, 2, 2])])[0]
        #expect(out.shape == [1, 1, 4, 4])
        #expect(out.storage == .u8([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]))
    }

    @Test func linearResizeInterpolatesBetweenNeighbours() throws {
        let x = Tensor(shape: [1, 1, 1, 2], floats: [0, 4])
        let out = try evaluate(.resize(ResizeAttributes(mode: .linear, coordinateTransformation: .alignCorners)),
                               [x, nil, nil, Tensor(shape: [4], int64s: [1, 1, 1, 5])])[0]
        #expect(out.storage == .f32([0, 1, 2, 3, 4]))
    }

    @Test func averagePoolCountsPaddingOnlyWhenAsked() throws {
        let x = Tensor(shape: [1, 1, 2, 2], floats: [1, 2, 3, 4])
        let pool = PoolAttributes(kernelShape: [2, 2], pads: [1, 1, 0, 0])
        let excluded = try evaluate(.averagePool(pool), [x])[0]
        var including = pool
        including.countIncludePad = true
        let included = try evaluate(.averagePool(including), [x])[0]
        #expect(excluded.storage == .f32([1, 1.5, 2, 2.5]))
        #expect(included.storage == .f32([0.25, 0.75, 1, 2.5]))
    }

    @Test func softmaxRowsSumToOneEvenForLargeInputs() throws {
        let out = try evaluate(.softmax(axis: -1), [Tensor(shape: [2, 3], floats: [1000, 1000, 1000, 0, 0, 0])])[0]
        for v in out.floatValues() { #expect(abs(v - 1.0 / 3) < 1e-6) }
    }

    @Test func castSaturatesFloatsAndWrapsIntegers() throws {
        let f = try evaluate(.cast(to: .i8), [Tensor(shape: [4], floats: [300, -2.7, .nan, 2.7])])[0]
        #expect(f.storage == .i8([127, -2, 0, 2]))
        let i = try evaluate(.cast(to: .u8), [Tensor(shape: [2], int32s: [256 + 5, -1])])[0]
        #expect(i.storage == .u8([5, 255]))
    }
}
