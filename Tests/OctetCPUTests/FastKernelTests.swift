import OctetCPU
import OctetIR
import OctetTestSupport
import Testing

/// One convolution case: shapes and attributes, checked on the fast kernels against a plain loop.
struct ConvCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: [Int]            // N, C, H, W
    var outChannels: Int
    var kernel: (Int, Int)
    var attributes: ConvAttributes
    var bias = true
    var activation: FusedActivation? = nil

    var testDescription: String { name }
}

private func conv(_ name: String, _ input: [Int], out: Int, kernel: (Int, Int), strides: [Int] = [],
                  pads: [Int] = [], dilations: [Int] = [], group: Int = 1, autoPad: AutoPad = .notSet,
                  bias: Bool = true, activation: FusedActivation? = nil) -> ConvCase {
    ConvCase(name: name, input: input, outChannels: out, kernel: kernel,
             attributes: ConvAttributes(strides: strides, pads: pads, dilations: dilations, group: group,
                                        autoPad: autoPad),
             bias: bias, activation: activation)
}

let convCases: [ConvCase] = [
    conv("1x1 pointwise", [1, 16, 7, 9], out: 24, kernel: (1, 1)),
    conv("1x1 odd sizes, no bias", [1, 3, 5, 5], out: 7, kernel: (1, 1), bias: false),
    conv("1x1 stride 2", [1, 16, 14, 14], out: 32, kernel: (1, 1), strides: [2, 2]),
    conv("1x1 padded", [1, 5, 4, 6], out: 5, kernel: (1, 1), pads: [1, 0, 0, 2]),
    conv("3x3 pad 1", [1, 5, 11, 13], out: 10, kernel: (3, 3), pads: [1, 1, 1, 1]),
    conv("3x3 stride 2 asymmetric pads", [1, 8, 15, 16], out: 12, kernel: (3, 3), strides: [2, 2], pads: [0, 1, 1, 0]),
    conv("5x5 dilation 2", [1, 4, 17, 17], out: 6, kernel: (5, 5), pads: [4, 4, 4, 4], dilations: [2, 2]),
    conv("1x3 stride (1,2)", [1, 6, 9, 20], out: 11, kernel: (1, 3), strides: [1, 2], pads: [0, 1, 0, 1]),
    conv("7x7 stride 2 stem", [1, 3, 32, 32], out: 8, kernel: (7, 7), strides: [2, 2], pads: [3, 3, 3, 3],
         activation: .relu),
    conv("grouped 3x3", [1, 12, 10, 10], out: 9, kernel: (3, 3), pads: [1, 1, 1, 1], group: 3),
    conv("grouped 1x1 batch 2", [2, 8, 6, 5], out: 12, kernel: (1, 1), group: 4),
    conv("depth multiplier 2", [1, 5, 9, 9], out: 10, kernel: (3, 3), pads: [1, 1, 1, 1], group: 5),
    conv("depthwise 3x3 s1", [1, 8, 14, 14], out: 8, kernel: (3, 3), pads: [1, 1, 1, 1], group: 8,
         activation: FusedActivation(lower: 0, upper: 6)),
    conv("depthwise 3x3 s2", [1, 7, 15, 13], out: 7, kernel: (3, 3), strides: [2, 2], pads: [1, 1, 1, 1], group: 7),
    conv("depthwise 5x5 s2 asymmetric", [1, 5, 19, 21], out: 5, kernel: (5, 5), strides: [2, 2], pads: [1, 2, 2, 1],
         group: 5),
    // Rows of over 32 inputs: whole 16-wide steps, vector stride-2 deinterleaving and a masked tail.
    conv("depthwise 3x3 s2 wide rows", [1, 4, 9, 67], out: 4, kernel: (3, 3), strides: [2, 2], pads: [1, 1, 1, 1],
         group: 4),
    conv("depthwise 3x3 s1 wide rows", [1, 3, 6, 37], out: 3, kernel: (3, 3), pads: [1, 1, 1, 1], group: 3,
         activation: .relu),
    // Output rows of at most 8: AVX-512 puts a channel in each lane, 16 at a time, the last group partial.
    conv("depthwise lanes 5x5, 20 channels, batch 2", [2, 20, 7, 7], out: 20, kernel: (5, 5), pads: [2, 2, 2, 2],
         group: 20, activation: FusedActivation(lower: 0, upper: 6)),
    conv("depthwise lanes 3x3 s2 dilation 2, 33 channels", [1, 33, 9, 8], out: 33, kernel: (3, 3), strides: [2, 2],
         pads: [2, 1, 2, 1], dilations: [2, 2], group: 33, bias: false),
    conv("depthwise 3x3 dilation 2, no bias", [1, 3, 12, 17], out: 3, kernel: (3, 3), pads: [2, 2, 2, 2],
         dilations: [2, 2], group: 3, bias: false),
    conv("depthwise 3x3 batch 2 tiny", [2, 4, 3, 2], out: 4, kernel: (3, 3), pads: [1, 1, 1, 1], group: 4),
    conv("depthwise stride 3 SAME_LOWER", [1, 3, 10, 11], out: 3, kernel: (4, 4), strides: [3, 3],
         group: 3, autoPad: .sameLower),
    conv("SAME_UPPER 3x3 stride 2 batch 2", [2, 6, 9, 10], out: 13, kernel: (3, 3), strides: [2, 2],
         autoPad: .sameUpper),
    conv("VALID 2x2", [1, 4, 7, 6], out: 5, kernel: (2, 2), autoPad: .valid),
    conv("blocked K and N", [1, 64, 20, 20], out: 20, kernel: (3, 3), pads: [1, 1, 1, 1], activation: .relu),
    conv("wide 1x1 with clip", [1, 200, 24, 24], out: 50, kernel: (1, 1),
         activation: FusedActivation(lower: -0.5, upper: 0.5)),
    // Few output pixels, many channels: threads split the rows and share one packed B.
    conv("narrow 3x3, rows split", [1, 32, 7, 7], out: 64, kernel: (3, 3), pads: [1, 1, 1, 1], activation: .relu),
    conv("narrow 1x1, rows split", [1, 130, 5, 5], out: 96, kernel: (1, 1)),
    // At most 64 pixels: AVX-512 takes pixels as rows and channels as columns, K unblocked, scattered out.
    conv("7x7 plane 1x1, deep K, batch 2", [2, 320, 7, 7], out: 40, kernel: (1, 1), activation: .relu),
    conv("7x7 stride 2, wide rows", [1, 3, 40, 37], out: 16, kernel: (7, 7), strides: [2, 2], pads: [3, 3, 3, 3]),
]

@Suite("Fast CPU kernels against plain loops")
struct FastKernelTests {
    @Test("Conv", arguments: convCases, KernelRun.all)
    func convMatchesPlainLoop(_ c: ConvCase, run: KernelRun) throws {
        guard run.isAvailable else { return }
        try KernelISA.$requested.withValue(run.isa) { try convMatchesPlainLoop(c, threads: run.threads) }
    }

    private func convMatchesPlainLoop(_ c: ConvCase, threads: Int) throws {
        var random = SeededRandom(seed: 7)
        let channelsPerGroup = c.input[1] / c.attributes.group
        let input = random.tensor(c.input)
        let weight = random.tensor([c.outChannels, channelsPerGroup, c.kernel.0, c.kernel.1])
        let bias = c.bias ? random.tensor([c.outChannels]) : nil
        let expected = try #require(plainConv(input, weight, bias, c.attributes, c.activation))
        let fast = try #require(FastConv.run(input: input, weight: weight, bias: bias, attributes: c.attributes,
                                             activation: c.activation, threads: threads))
        #expect(fast.shape == expected.shape)
        #expect(relativeError(fast, expected) <= Tolerance.fastKernelRelative)
    }

    @Test("Conv plus a residual", arguments: convCases.filter { $0.attributes.group == 1 }, KernelRun.all)
    func convWithResidualMatchesPlainLoop(_ c: ConvCase, run: KernelRun) throws {
        guard run.isAvailable else { return }
        var random = SeededRandom(seed: 13)
        let input = random.tensor(c.input)
        let weight = random.tensor([c.outChannels, c.input[1], c.kernel.0, c.kernel.1])
        let bias = c.bias ? random.tensor([c.outChannels]) : nil
        let plain = try #require(plainConv(input, weight, bias, c.attributes, nil))
        let residual = random.tensor(plain.shape)
        let expected = zip(plain.floatValues(), residual.floatValues()).map { x, r in
            c.activation.map { min(max(x + r, $0.lower), $0.upper) } ?? x + r
        }
        let fast = try KernelISA.$requested.withValue(run.isa) {
            try #require(FastConv.run(input: input, weight: weight, bias: bias, attributes: c.attributes,
                                      residual: residual, activation: c.activation, threads: run.threads))
        }
        #expect(fast.shape == plain.shape)
        #expect(relativeError(fast.floatValues(), expected) <= Tolerance.fastKernelRelative)
    }

    /// Output planes of at most 64 pixels take pixels as the GEMM's rows on AVX-512 whatever the filter:
    /// a 1x1 stride-1 convolution reads its input where it lies, others gather their taps first (padding,
    /// strides, dilation). Elsewhere they keep the im2col GEMM.
    @Test("Small output planes gather their taps for the pixels-as-rows GEMM",
          arguments: [((3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 7), ((3, 3), [2, 2], [1, 1, 1, 1], [1, 1], 14),
                      ((1, 1), [2, 2], [0, 0, 0, 0], [1, 1], 14), ((3, 3), [1, 1], [2, 0, 1, 2], [2, 1], 6),
                      ((7, 7), [2, 2], [3, 3, 3, 3], [1, 1], 14)])
    func smallPlaneGathersTaps(_ kernel: (Int, Int), _ strides: [Int], _ pads: [Int], _ dilations: [Int],
                               _ size: Int) throws {
        guard KernelISA.best == .avx512 else {
            print("SKIPPED: the small-plane convolution path: this CPU lacks AVX-512")
            return
        }
        var random = SeededRandom(seed: 29)
        let input = random.tensor([2, 40, size, size + 1])
        let weight = random.tensor([36, 40, kernel.0, kernel.1]), bias = random.tensor([36])
        let attributes = ConvAttributes(strides: strides, pads: pads, dilations: dilations)
        #expect(FastConv.gemmPath(input: input.shape, weight: weight.shape, attributes: attributes, isa: .avx512)
            == .smallPlane)
        #expect(FastConv.gemmPath(input: input.shape, weight: weight.shape, attributes: attributes, isa: .avx2)
            == .im2col)
        let expected = try #require(plainConv(input, weight, bias, attributes, .relu))
        for threads in [1, 2] {
            let fast = try KernelISA.$requested.withValue(.avx512) {
                try #require(FastConv.run(input: input, weight: weight, bias: bias, attributes: attributes,
                                          activation: .relu, threads: threads))
            }
            #expect(fast.shape == expected.shape)
            #expect(relativeError(fast, expected) <= Tolerance.fastKernelRelative)
        }
    }

    /// The gather holds every tap of the plane at once, where the im2col packs a block at a time: a filter
    /// far larger than its input (a hostile file's, say) must not make it ask for gigabytes.
    @Test("A filter far larger than its small plane keeps the im2col")
    func hugeFilterKeepsIm2col() {
        let attributes = ConvAttributes(strides: [], pads: [23, 23, 23, 23], dilations: [])
        #expect(FastConv.gemmPath(input: [1, 2048, 1, 1], weight: [1, 2048, 47, 47], attributes: attributes,
                                  isa: .avx512) == .im2col)
        #expect(FastConv.gemmPath(input: [1, 2048, 1, 1], weight: [1, 2048, 1, 1], attributes: ConvAttributes(),
                                  isa: .avx512) == .smallPlane)
    }

    /// Small planes go to the AVX-512 channel-lane depthwise kernel, wide ones to the row kernels; both
    /// take each output's operations in the same order, so a model's values do not depend on which ran.
    /// 5 x 5 filters take the lanes up to 32 outputs a row; rows of 18 and 13 leave a pair and a single
    /// pixel after the runs of four.
    @Test("Depthwise on channel lanes gives the row kernel's bits",
          arguments: [(3, 1, 7), (3, 2, 7), (5, 1, 7), (5, 1, 18), (5, 2, 13)])
    func depthwiseLanesMatchRowKernelBits(_ kernel: Int, _ stride: Int, _ outputs: Int) throws {
        guard KernelISA.best == .avx512 else {
            print("SKIPPED: the channel-lane depthwise kernel: this CPU lacks AVX-512")
            return
        }
        var random = SeededRandom(seed: 21)
        let size = outputs * stride  // the lanes on AVX-512, the row kernel on AVX2
        let input = random.tensor([1, 24, size, size])
        let weight = random.tensor([24, 1, kernel, kernel]), bias = random.tensor([24])
        let attributes = ConvAttributes(strides: [stride, stride], pads: Array(repeating: kernel / 2, count: 4), group: 24)
        #expect(FastConv.depthwisePath(input: input.shape, weight: weight.shape, attributes: attributes, isa: .avx512) == .lanes)
        func run(_ isa: KernelISA) throws -> [UInt32] {
            try KernelISA.$requested.withValue(isa) {
                try #require(FastConv.run(input: input, weight: weight, bias: bias, attributes: attributes,
                                          activation: .relu, threads: 2)).floatValues().map(\.bitPattern)
            }
        }
        #expect(try run(.avx512) == run(.avx2))
    }

    /// Stride-2 depthwise layers, and stride-1 ones with wide rows, on AVX-512 read their input plane in
    /// place (masked loads, for stride 2 even elements kept by a permute) four output rows at a time instead
    /// of copying it; the sums keep the row kernel's order, so the bits match the AVX2 row kernel's on its
    /// padded copy. Output heights of 11, 10, 9, 7 and 4 leave every tail of the four-row bands.
    @Test("Depthwise read in place gives the row kernel's bits",
          arguments: [([1, 6, 21, 67], 3, [1, 1, 1, 1], 1, 2), ([1, 5, 19, 80], 5, [1, 2, 2, 1], 1, 2),
                      ([2, 3, 17, 35], 3, [2, 2, 2, 2], 2, 2), ([1, 4, 8, 18], 3, [0, 0, 1, 1], 1, 2),
                      ([1, 5, 7, 45], 3, [1, 1, 1, 1], 1, 1), ([2, 3, 9, 40], 7, [3, 3, 3, 3], 1, 1),
                      ([1, 3, 10, 36], 3, [1, 0, 1, 2], 2, 1)])
    func depthwiseInPlaceMatchesRowKernelBits(_ shape: [Int], _ kernel: Int, _ pads: [Int], _ dilation: Int,
                                              _ stride: Int) throws {
        guard KernelISA.best == .avx512 else {
            print("SKIPPED: the in-place depthwise kernel: this CPU lacks AVX-512")
            return
        }
        var random = SeededRandom(seed: 33)
        let channels = shape[1]
        let input = random.tensor(shape)
        let weight = random.tensor([channels, 1, kernel, kernel]), bias = random.tensor([channels])
        let attributes = ConvAttributes(strides: [stride, stride], pads: pads, dilations: [dilation, dilation],
                                        group: channels)
        #expect(FastConv.depthwisePath(input: shape, weight: weight.shape, attributes: attributes, isa: .avx512) == .direct)
        #expect(FastConv.depthwisePath(input: shape, weight: weight.shape, attributes: attributes, isa: .avx2) == .phaseSplit)
        func run(_ isa: KernelISA) throws -> [UInt32] {
            try KernelISA.$requested.withValue(isa) {
                try #require(FastConv.run(input: input, weight: weight, bias: bias, attributes: attributes,
                                          activation: FusedActivation(lower: 0, upper: 6), threads: 2))
                    .floatValues().map(\.bitPattern)
            }
        }
        #expect(try run(.avx512) == run(.avx2))
    }

    @Test("Conv weights packed once serve inputs of different sizes")
    func preparedConvRunsManyInputs() throws {
        var random = SeededRandom(seed: 11)
        let attributes = ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1])
        let weight = random.tensor([6, 4, 3, 3])
        let prepared = try #require(PreparedConv(weight: weight, bias: nil, attributes: attributes))
        for shape in [[1, 4, 9, 9], [3, 4, 16, 5]] {
            let input = random.tensor(shape)
            let expected = try #require(plainConv(input, weight, nil, attributes, nil))
            let fast = try #require(prepared.run(input, threads: 2))
            #expect(relativeError(fast, expected) <= Tolerance.fastKernelRelative)
        }
    }

    @Test("Conv outside the fast kernels is declined, not computed")
    func convDeclinesWhatItDoesNotHandle() {
        var random = SeededRandom(seed: 3)
        let oneD = ConvAttributes()
        #expect(FastConv.run(input: random.tensor([1, 2, 9]), weight: random.tensor([3, 2, 3]), bias: nil,
                             attributes: oneD, threads: 1) == nil)
        let ints = Tensor(shape: [1, 1, 2, 2], int32s: [1, 2, 3, 4])
        #expect(FastConv.run(input: ints, weight: random.tensor([1, 1, 1, 1]), bias: nil, attributes: oneD,
                             threads: 1) == nil)
        // Channels that do not match the weight: the reference reports the error.
        #expect(FastConv.run(input: random.tensor([1, 3, 4, 4]), weight: random.tensor([2, 2, 1, 1]), bias: nil,
                             attributes: oneD, threads: 1) == nil)
    }

    @Test("Gemm", arguments: gemmCases, KernelRun.all)
    func gemmMatchesPlainLoop(_ g: GemmCase, run: KernelRun) throws {
        guard run.isAvailable else { return }
        try KernelISA.$requested.withValue(run.isa) { try gemmMatchesPlainLoop(g, threads: run.threads) }
    }

    private func gemmMatchesPlainLoop(_ g: GemmCase, threads: Int) throws {
        var random = SeededRandom(seed: 5)
        let a = random.tensor(g.attributes.transA ? [g.k, g.m] : [g.m, g.k])
        let b = random.tensor(g.attributes.transB ? [g.n, g.k] : [g.k, g.n])
        let c = g.cShape.map { random.tensor($0) }
        let expected = plainGemm(a, b, c, g.attributes, g.m, g.k, g.n, g.activation)
        let fast = try #require(FastDense.gemm(a: a, b: b, c: c, attributes: g.attributes, activation: g.activation,
                                               threads: threads))
        #expect(fast.shape == [g.m, g.n])
        #expect(relativeError(fast, expected) <= Tolerance.fastKernelRelative)
    }

    @Test("MatMul with batch dimensions on the left", arguments: [[2, 3, 17], [1, 40], [4, 1, 7, 33]])
    func matMulMatchesPlainLoop(_ aShape: [Int]) throws {
        var random = SeededRandom(seed: 9)
        let k = aShape.last!, n = 29
        let a = random.tensor(aShape)
        let b = random.tensor([k, n])
        let rows = aShape.dropLast().reduce(1, *)
        let flat = plainGemm(try a.reshaped([rows, k]), b, nil, GemmAttributes(), rows, k, n, nil)
        let fast = try #require(FastDense.matMul(a: a, b: b, threads: 2))
        #expect(fast.shape == Array(aShape.dropLast()) + [n])
        #expect(relativeError(fast.floatValues(), flat.floatValues()) <= Tolerance.fastKernelRelative)
    }
}

/// One Gemm case: M×K times K×N with Gemm's attributes and a C of some broadcastable shape.
struct GemmCase: CustomTestStringConvertible, Sendable {
    var m: Int, k: Int, n: Int
    var attributes = GemmAttributes()
    var cShape: [Int]? = nil
    var activation: FusedActivation? = nil
    var testDescription: String {
        "\(m)x\(k)x\(n) transA \(attributes.transA) transB \(attributes.transB) C \(cShape ?? [])"
    }
}

let gemmCases: [GemmCase] = [
    GemmCase(m: 1, k: 1280, n: 1000, attributes: GemmAttributes(transB: true), cShape: [1000]),
    GemmCase(m: 2, k: 33, n: 17, cShape: [1, 17], activation: .relu),
    GemmCase(m: 6, k: 8, n: 8),
    GemmCase(m: 7, k: 300, n: 70, attributes: GemmAttributes(alpha: 0.5, beta: 2), cShape: [7, 70]),
    GemmCase(m: 37, k: 200, n: 300, attributes: GemmAttributes(transA: true, transB: true), cShape: [37, 1]),
    GemmCase(m: 13, k: 5, n: 9, attributes: GemmAttributes(beta: 0.25), cShape: []),
    GemmCase(m: 64, k: 513, n: 31, attributes: GemmAttributes(transA: true), cShape: [31]),
    GemmCase(m: 3, k: 10, n: 4, attributes: GemmAttributes(alpha: 2, beta: 0), cShape: [3, 4]),
    // Tile and block edges: rows not a multiple of 6, a last panel of 1 to 8 and of 9 to 15 columns,
    // K and N over several blocks with a remainder, C accumulated and then clamped.
    GemmCase(m: 6, k: 1, n: 16),
    GemmCase(m: 11, k: 7, n: 9, cShape: [9], activation: FusedActivation(lower: -0.2, upper: 0.3)),
    GemmCase(m: 61, k: 517, n: 529, attributes: GemmAttributes(transB: true), cShape: [529], activation: .relu),
    GemmCase(m: 25, k: 450, n: 40, attributes: GemmAttributes(beta: 0.5), cShape: [25, 40],
             activation: FusedActivation(lower: -1, upper: 1)),
    GemmCase(m: 200, k: 64, n: 23, cShape: [200, 1]),
]

/// Which kernels a fast-kernel test runs on, and on how many threads.
struct KernelRun: CustomTestStringConvertible, Sendable {
    var isa: KernelISA
    var threads: Int

    /// Every instruction set on 1, 2 and 3 threads.
    static let all = KernelISA.allCases.flatMap { isa in [1, 2, 3].map { KernelRun(isa: isa, threads: $0) } }

    var testDescription: String { "\(isa), \(threads) threads" }

    /// False (with a note) when this CPU lacks the instruction set, so the case would only repeat another.
    var isAvailable: Bool {
        if isa <= KernelISA.best { return true }
        print("SKIPPED: \(isa) kernels: this CPU lacks the instructions")
        return false
    }
}

// MARK: - Plain loops (double accumulators, the obvious index arithmetic)

private func plainConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ a: ConvAttributes,
                       _ activation: FusedActivation?) -> Tensor? {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (m, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    let g = a.group, cg = c / g, mg = m / g
    let (sy, sx) = a.strides.isEmpty ? (1, 1) : (a.strides[0], a.strides[1])
    let (dy, dx) = a.dilations.isEmpty ? (1, 1) : (a.dilations[0], a.dilations[1])
    var (top, left, bottom, right) = a.pads.isEmpty ? (0, 0, 0, 0) : (a.pads[0], a.pads[1], a.pads[2], a.pads[3])
    if a.autoPad == .sameUpper || a.autoPad == .sameLower {
        let oh = (h + sy - 1) / sy, ow = (wd + sx - 1) / sx
        let ty = max(0, (oh - 1) * sy + (kh - 1) * dy + 1 - h), tx = max(0, (ow - 1) * sx + (kw - 1) * dx + 1 - wd)
        top = a.autoPad == .sameUpper ? ty / 2 : ty - ty / 2
        left = a.autoPad == .sameUpper ? tx / 2 : tx - tx / 2
        (bottom, right) = (ty - top, tx - left)
    }
    let oh = (h + top + bottom - (kh - 1) * dy - 1) / sy + 1
    let ow = (wd + left + right - (kw - 1) * dx - 1) / sx + 1
    let xv = x.floatValues(), wv = w.floatValues(), bv = b?.floatValues()
    var out = [Float](repeating: 0, count: n * m * oh * ow)
    for img in 0..<n { for oc in 0..<m { for oy in 0..<oh { for ox in 0..<ow {
        let group = oc / mg
        var sum = Double(bv?[oc] ?? 0)
        for ic in 0..<cg { for ky in 0..<kh { for kx in 0..<kw {
            let iy = oy * sy + ky * dy - top, ix = ox * sx + kx * dx - left
            guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
            let xi = ((img * c + group * cg + ic) * h + iy) * wd + ix
            let wi = ((oc * cg + ic) * kh + ky) * kw + kx
            sum += Double(xv[xi]) * Double(wv[wi])
        } } }
        let v = Float(sum)
        out[((img * m + oc) * oh + oy) * ow + ox] = activation.map { min(max(v, $0.lower), $0.upper) } ?? v
    } } } }
    return Tensor(shape: [n, m, oh, ow], floats: out)
}

private func plainGemm(_ a: Tensor, _ b: Tensor, _ c: Tensor?, _ at: GemmAttributes, _ m: Int, _ k: Int, _ n: Int,
                       _ activation: FusedActivation?) -> Tensor {
    let av = a.floatValues(), bv = b.floatValues(), cv = c?.floatValues()
    var out = [Float](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n {
        var sum = 0.0
        for p in 0..<k {
            let x = at.transA ? av[p * m + i] : av[i * k + p]
            let y = at.transB ? bv[j * k + p] : bv[p * n + j]
            sum += Double(x) * Double(y)
        }
        var v = Double(at.alpha) * sum
        if let c, let cv {
            // Unidirectional broadcast of C to [m, n].
            let shape = [Int](repeating: 1, count: 2 - c.rank) + c.shape
            v += Double(at.beta) * Double(cv[(shape[0] == 1 ? 0 : i) * shape[1] + (shape[1] == 1 ? 0 : j)])
        }
        let f = Float(v)
        out[i * n + j] = activation.map { min(max(f, $0.lower), $0.upper) } ?? f
    } }
    return Tensor(shape: [m, n], floats: out)
}

/// SplitMix64: the same pseudo-random tensors on every run.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform values in [-1, 1).
    mutating func tensor(_ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, floats: (0..<count).map { _ in Float(next() >> 40) / Float(1 << 23) - 1 })
    }
}
