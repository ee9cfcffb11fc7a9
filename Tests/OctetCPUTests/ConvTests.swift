import OctetCPU
import OctetIR
import Testing

/// The loop-ordered direct convolutions against textbook loops with a bounds test per tap.
@Suite struct ConvTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: [Int]       // N, C, H, W
        var outChannels: Int
        var kernel: [Int]
        var strides: [Int]
        var pads: [Int]
        var dilations: [Int]
        var group: Int
        var testDescription: String { "x\(input) k\(kernel) s\(strides) p\(pads) d\(dilations) g\(group)" }
    }

    static let cases: [Case] = [
        Case(input: [1, 3, 9, 9], outChannels: 4, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1),
        Case(input: [2, 4, 10, 7], outChannels: 6, kernel: [3, 2], strides: [2, 3], pads: [0, 1, 2, 0], dilations: [1, 1], group: 2),
        Case(input: [1, 6, 8, 8], outChannels: 6, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 6),
        Case(input: [1, 2, 11, 11], outChannels: 3, kernel: [3, 3], strides: [1, 2], pads: [2, 2, 2, 2], dilations: [2, 2], group: 1),
        Case(input: [1, 5, 4, 6], outChannels: 7, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1),
    ]

    @Test(arguments: cases)
    func convMatchesNaiveLoops(_ c: Case) throws {
        let (n, ch, h, w) = (c.input[0], c.input[1], c.input[2], c.input[3])
        let cg = ch / c.group, m = c.outChannels, mg = m / c.group
        let x = seededFloats(n * ch * h * w, seed: 1), k = seededFloats(m * cg * c.kernel[0] * c.kernel[1], seed: 2)
        let b = seededFloats(m, seed: 3)
        let attrs = ConvAttributes(strides: c.strides, pads: c.pads, dilations: c.dilations, group: c.group)
        let out = try evaluate(.conv(attrs), [Tensor(shape: c.input, floats: x),
                                              Tensor(shape: [m, cg] + c.kernel, floats: k), Tensor(shape: [m], floats: b)])[0]
        let oh = (h + c.pads[0] + c.pads[2] - (c.kernel[0] - 1) * c.dilations[0] - 1) / c.strides[0] + 1
        let ow = (w + c.pads[1] + c.pads[3] - (c.kernel[1] - 1) * c.dilations[1] - 1) / c.strides[1] + 1
        #expect(out.shape == [n, m, oh, ow])
        var expected = [Float](repeating: 0, count: n * m * oh * ow)
        for i in 0..<n { for o in 0..<m { for y in 0..<oh { for xo in 0..<ow {
            var s = b[o]
            for ci in 0..<cg { for ky in 0..<c.kernel[0] { for kx in 0..<c.kernel[1] {
                let iy = y * c.strides[0] - c.pads[0] + ky * c.dilations[0]
                let ix = xo * c.strides[1] - c.pads[1] + kx * c.dilations[1]
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                let inC = (o / mg) * cg + ci
                s += x[((i * ch + inC) * h + iy) * w + ix] * k[((o * cg + ci) * c.kernel[0] + ky) * c.kernel[1] + kx]
            } } }
            expected[((i * m + o) * oh + y) * ow + xo] = s
        } } } }
        #expect(maxAbsDifference(out.floatValues(), expected) < 1e-4)
    }

    @Test(arguments: cases)
    func convTransposeMatchesNaiveScatter(_ c: Case) throws {
        let (n, ch, h, w) = (c.input[0], c.input[1], c.input[2], c.input[3])
        let cg = ch / c.group, mg = max(1, c.outChannels / c.group), m = mg * c.group
        let x = seededFloats(n * ch * h * w, seed: 4), k = seededFloats(ch * mg * c.kernel[0] * c.kernel[1], seed: 5)
        let attrs = ConvTransposeAttributes(conv: ConvAttributes(strides: c.strides, pads: c.pads,
                                                                 dilations: c.dilations, group: c.group))
        let out = try evaluate(.convTranspose(attrs), [Tensor(shape: c.input, floats: x),
                                                       Tensor(shape: [ch, mg] + c.kernel, floats: k), nil])[0]
        let oh = c.strides[0] * (h - 1) + (c.kernel[0] - 1) * c.dilations[0] + 1 - c.pads[0] - c.pads[2]
        let ow = c.strides[1] * (w - 1) + (c.kernel[1] - 1) * c.dilations[1] + 1 - c.pads[1] - c.pads[3]
        #expect(out.shape == [n, m, oh, ow])
        var expected = [Float](repeating: 0, count: n * m * oh * ow)
        for i in 0..<n { for ci in 0..<ch { for y in 0..<h { for xi in 0..<w {
            let g = ci / cg
            for mo in 0..<mg { for ky in 0..<c.kernel[0] { for kx in 0..<c.kernel[1] {
                let oy = y * c.strides[0] - c.pads[0] + ky * c.dilations[0]
                let ox = xi * c.strides[1] - c.pads[1] + kx * c.dilations[1]
                guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                let o = g * mg + mo
                expected[((i * m + o) * oh + oy) * ow + ox] +=
                    x[((i * ch + ci) * h + y) * w + xi] * k[((ci * mg + mo) * c.kernel[0] + ky) * c.kernel[1] + kx]
            } } }
        } } } }
        #expect(maxAbsDifference(out.floatValues(), expected) < 1e-4)
    }

    @Test func conv1DRunsAsTwoDimensional() throws {
        let x = seededFloats(2 * 7, seed: 6), k = seededFloats(3 * 2 * 3, seed: 7)
        let out = try evaluate(.conv(ConvAttributes(pads: [1, 1])), [Tensor(shape: [1, 2, 7], floats: x),
                                                                     Tensor(shape: [3, 2, 3], floats: k)])[0]
        #expect(out.shape == [1, 3, 7])
        var expected = [Float](repeating: 0, count: 21)
        for o in 0..<3 { for p in 0..<7 { for c in 0..<2 { for t in 0..<3 where p - 1 + t >= 0 && p - 1 + t < 7 {
            expected[o * 7 + p] += x[c * 7 + p - 1 + t] * k[(o * 2 + c) * 3 + t]
        } } } }
        #expect(maxAbsDifference(out.floatValues(), expected) < 1e-5)
    }

    @Test func groupThatDoesNotDivideChannelsIsAnErrorNamingTheNode() {
        #expect(throws: IRError.self) {
            try evaluate(.conv(ConvAttributes(group: 2)), [Tensor(shape: [1, 3, 4, 4], floats: seededFloats(48, seed: 1)),
                                                           Tensor(shape: [2, 1, 3, 3], floats: seededFloats(18, seed: 2))])
        }
        do {
            _ = try evaluate(.conv(ConvAttributes()), [Tensor(shape: [1, 3, 4, 4], floats: seededFloats(48, seed: 1)),
                                                       Tensor(shape: [2, 2, 3, 3], floats: seededFloats(36, seed: 2))])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("node \"n\" (Conv)"))
        }
    }
}
