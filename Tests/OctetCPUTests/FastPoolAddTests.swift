import OctetCPU
import OctetIR
import Testing

/// One MaxPool case: input shape, kernel, strides and pads.
struct MaxPoolCase: CustomTestStringConvertible, Sendable {
    var input: [Int]
    var kernel: [Int]
    var strides: [Int] = []
    var pads: [Int] = []
    var testDescription: String { "\(input) k\(kernel) s\(strides) p\(pads)" }
}

@Suite("Fast MaxPool and Add against plain loops")
struct FastPoolAddTests {
    static let poolCases = [
        MaxPoolCase(input: [1, 5, 21, 19], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
        MaxPoolCase(input: [2, 3, 8, 9], kernel: [2, 2], strides: [2, 2]),
        // Rows wide enough for the float vector steps (16 outputs), with scalar outputs on both sides.
        MaxPoolCase(input: [1, 3, 9, 75], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
        MaxPoolCase(input: [1, 2, 5, 40], kernel: [2, 3], strides: [1, 1], pads: [0, 1, 0, 1]),
        MaxPoolCase(input: [1, 2, 7, 7], kernel: [3, 3], pads: [1, 0, 2, 1]),
        MaxPoolCase(input: [1, 4, 6, 17], kernel: [1, 3], strides: [1, 2], pads: [0, 2, 0, 1]),
        MaxPoolCase(input: [1, 64, 40, 40], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
    ]

    @Test("MaxPool", arguments: poolCases, [1, 3])
    func maxPoolMatchesPlainLoop(_ c: MaxPoolCase, threads: Int) throws {
        var random = SeededRandom(seed: 21)
        let x = random.tensor(c.input)
        let attributes = PoolAttributes(kernelShape: c.kernel, strides: c.strides, pads: c.pads)
        let fast = try #require(FastMaxPool.run(x, attributes, threads: threads))
        let expected = plainMaxPool(x, c)
        #expect(fast.shape == expected.shape)
        // Maxima are exact: the same value is chosen, whatever the order of comparisons.
        #expect(fast.floatValues() == expected.floatValues())
    }

    @Test("MaxPool cases outside the fast kernel are declined")
    func maxPoolDeclines() {
        var random = SeededRandom(seed: 2)
        let x = random.tensor([1, 2, 5, 5])
        #expect(FastMaxPool.run(x, PoolAttributes(kernelShape: [3, 3], ceilMode: true), threads: 1) == nil)
        #expect(FastMaxPool.run(x, PoolAttributes(kernelShape: [2, 2], dilations: [2, 2]), threads: 1) == nil)
        #expect(FastMaxPool.run(x, PoolAttributes(kernelShape: [2, 2], pads: [2, 0, 0, 0]), threads: 1) == nil)
        #expect(FastMaxPool.run(random.tensor([1, 2, 5]), PoolAttributes(kernelShape: [2]), threads: 1) == nil)
    }

    @Test("Add", arguments: [[3, 5], [1, 64, 33, 35]], [nil, FusedActivation.relu, FusedActivation(lower: -0.3, upper: 0.4)])
    func addMatchesPlainLoop(_ shape: [Int], activation: FusedActivation?) throws {
        var random = SeededRandom(seed: 4)
        let a = random.tensor(shape), b = random.tensor(shape)
        let fast = try #require(FastBinary.run(.add, a, b, activation: activation, threads: 2))
        let expected = zip(a.floatValues(), b.floatValues()).map { x, y in
            activation.map { min(max(x + y, $0.lower), $0.upper) } ?? x + y
        }
        #expect(fast.shape == shape)
        #expect(fast.floatValues() == expected)
    }

    @Test("Broadcasts other than one value or one value per row, and integers, are left to the reference")
    func addDeclinesBroadcast() {
        var random = SeededRandom(seed: 8)
        #expect(FastBinary.run(.add, random.tensor([2, 3]), random.tensor([3]), threads: 1) == nil)
        #expect(FastBinary.run(.mul, random.tensor([2, 1]), random.tensor([1, 3]), threads: 1) == nil)
        #expect(FastBinary.run(.add, Tensor(shape: [2], int32s: [1, 2]), Tensor(shape: [2], int32s: [3, 4]), threads: 1) == nil)
        #expect(FastBinary.run(.pow, random.tensor([4]), random.tensor([4]), threads: 1) == nil)
    }
}

private func plainMaxPool(_ x: Tensor, _ c: MaxPoolCase) -> Tensor {
    let (n, ch, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw) = (c.kernel[0], c.kernel[1])
    let (sy, sx) = c.strides.isEmpty ? (1, 1) : (c.strides[0], c.strides[1])
    let p = c.pads.isEmpty ? [0, 0, 0, 0] : c.pads
    let oh = (h + p[0] + p[2] - kh) / sy + 1, ow = (w + p[1] + p[3] - kw) / sx + 1
    let v = x.floatValues()
    var out = [Float](repeating: 0, count: n * ch * oh * ow)
    for plane in 0..<n * ch { for oy in 0..<oh { for ox in 0..<ow {
        var best = -Float.infinity
        for ky in 0..<kh { for kx in 0..<kw {
            let iy = oy * sy + ky - p[0], ix = ox * sx + kx - p[1]
            if iy >= 0, iy < h, ix >= 0, ix < w { best = max(best, v[(plane * h + iy) * w + ix]) }
        } }
        out[(plane * oh + oy) * ow + ox] = best
    } } }
    return Tensor(shape: [n, ch, oh, ow], floats: out)
}
