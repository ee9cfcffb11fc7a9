import Foundation
import OctetCPU
import OctetIR
import Testing

/// Which epilogue a case asks for; ratios and scales are drawn so outputs spread over the 8-bit range
/// with some clamping.
enum EpilogueChoice: Sendable {
    /// int8 output, one ratio per channel, full range.
    case i8PerChannel
    /// uint8 output, one ratio, zero point 20 and lower = zero point (a folded ReLU), upper 200.
    case u8ReluPerTensor
    /// Ratio 1: nearly every value saturates.
    case saturate
    case dequantize
    case int32

    func make(channels: Int, depth: Int, _ rng: inout SplitMix64) -> IntegerEpilogue {
        let typical = 40 / (5500 * Float(depth).squareRoot())
        switch self {
        case .i8PerChannel:
            return .requantize(ratios: (0..<channels).map { _ in rng.float(0.3, 1.7) * typical }, zeroPoint: -3,
                               output: .i8, lower: -128, upper: 127)
        case .u8ReluPerTensor:
            return .requantize(ratios: [typical * 1.3], zeroPoint: 20, output: .u8, lower: 20, upper: 200)
        case .saturate:
            return .requantize(ratios: [1], zeroPoint: 5, output: .i8, lower: -128, upper: 127)
        case .dequantize:
            return .dequantize(scales: (0..<channels).map { _ in rng.float(1e-4, 1e-2) })
        case .int32:
            return .int32
        }
    }
}

struct IntegerConvCase: Sendable, CustomStringConvertible {
    var name: String
    var batch = 1
    var inChannels: Int, height: Int, width: Int, outChannels: Int
    var kernel = 1, stride = 1, dilation = 1, group = 1
    /// top, left, bottom, right
    var pads = [0, 0, 0, 0]
    var input: DType = .u8, inputZero: Int32 = 7
    var weightType: DType = .i8
    /// 1 or outChannels values; the weights are drawn so w - zero stays in int8.
    var weightZero: [Int32] = [0]
    var epilogue: EpilogueChoice = .i8PerChannel
    var seed: UInt64 = 1
    /// The AVX-512 kernel variant that must run it (depthwise or GEMM).
    var avx512Variant: String? = nil

    var description: String { name }

    var weightShape: [Int] { [outChannels, inChannels / group, kernel, kernel] }
    var attributes: ConvAttributes {
        ConvAttributes(strides: [stride, stride], pads: pads, dilations: [dilation, dilation], group: group)
    }
}

/// Everything one case needs: random data, the prepared kernel, and the oracle's answer.
struct IntegerConvFixture {
    let prepared: PreparedIntegerConv?
    let input: Tensor
    let expected: Tensor

    init(_ c: IntegerConvCase) {
        var rng = SplitMix64(state: c.seed)
        let inShape = [c.batch, c.inChannels, c.height, c.width]
        let x = rng.ints(inShape.reduce(1, *), int8Range(c.input))
        let perChannel = c.weightShape.dropFirst().reduce(1, *)
        let w: [Int32] = (0..<c.outChannels * perChannel).map { i in
            let z = c.weightZero[c.weightZero.count == 1 ? 0 : i / perChannel]
            let r = int8Range(c.weightType)
            return rng.int(max(r.lowerBound, z - 128)...min(r.upperBound, z + 127))
        }
        let bias = rng.ints(c.outChannels, -20000...20000)
        let epilogue = c.epilogue.make(channels: c.outChannels, depth: perChannel, &rng)
        prepared = PreparedIntegerConv(weight: int8Tensor(c.weightType, shape: c.weightShape, w),
                                       weightZeroPoints: c.weightZero, bias: bias, inputZeroPoint: c.inputZero,
                                       inputType: c.input, attributes: c.attributes, epilogue: epilogue)
        input = int8Tensor(c.input, shape: inShape, x)
        let (acc, shape) = IntegerOracle.conv(x: x, shape: inShape, xZero: c.inputZero, w: w, weightShape: c.weightShape,
                                              wZero: c.weightZero, bias: bias, strides: [c.stride, c.stride],
                                              pads: c.pads, dilations: [c.dilation, c.dilation], group: c.group)
        let plane = shape[2] * shape[3]
        expected = IntegerOracle.apply(epilogue, acc, shape: shape) { $0 / plane % c.outChannels }
    }
}

/// Runs `body` once per instruction set, forced through the task-local, checking the kernels see it;
/// sets this CPU lacks are skipped with the reason printed.
func forEachIntegerISA(_ body: (IntegerKernelISA) -> Void) {
    for isa in IntegerKernelISA.allCases {
        guard isa <= IntegerKernelISA.best else {
            print("SKIPPED: \(isa) integer kernels, this CPU only runs up to \(IntegerKernelISA.best)")
            continue
        }
        IntegerKernelISA.$requested.withValue(isa) {
            #expect(IntegerKernelISA.current == isa)
            body(isa)
        }
    }
}

@Suite("Integer conv and dense kernels against the scalar oracle")
struct IntegerKernelTests {
    static let gemmCases: [IntegerConvCase] = [
        IntegerConvCase(name: "pointwise u8 19->35 9x11", inChannels: 19, height: 9, width: 11, outChannels: 35),
        IntegerConvCase(name: "pointwise i8 32->24 14x14 relu", inChannels: 32, height: 14, width: 14, outChannels: 24,
                 input: .i8, inputZero: -5, epilogue: .u8ReluPerTensor, seed: 2, avx512Variant: "columns"),
        IntegerConvCase(name: "pointwise batch 2 16->17 7x7 dequantize", batch: 2, inChannels: 16, height: 7, width: 7,
                 outChannels: 17, epilogue: .dequantize, seed: 3, avx512Variant: "columns"),
        // Channel lanes: 49 pixels (six tiles of 8 and one of 1), 23 (8 + 8 + 4 + 2 + 1), 36 (8 x 4 + 4), a
        // last vector of 8 rows, a depth that is not a multiple of 4, batch 2.
        IntegerConvCase(name: "pointwise 7x7 i8 96->48 relu", inChannels: 96, height: 7, width: 7, outChannels: 48,
                 input: .i8, inputZero: -128, epilogue: .u8ReluPerTensor, seed: 16, avx512Variant: "channel lanes"),
        IntegerConvCase(name: "pointwise 1x23 batch 2 21->40", batch: 2, inChannels: 21, height: 1, width: 23,
                 outChannels: 40, inputZero: 255, seed: 17, avx512Variant: "channel lanes"),
        IntegerConvCase(name: "pointwise 6x6 saturating 33->16", inChannels: 33, height: 6, width: 6, outChannels: 16,
                 epilogue: .saturate, seed: 18, avx512Variant: "channel lanes"),
        IntegerConvCase(name: "pointwise 5->3 int32", inChannels: 5, height: 3, width: 5, outChannels: 3, input: .i8,
                 inputZero: 100, epilogue: .int32, seed: 4),
        IntegerConvCase(name: "pointwise 64->40 24x24 (column split)", inChannels: 64, height: 24, width: 24, outChannels: 40,
                 seed: 5, avx512Variant: "columns"),
        IntegerConvCase(name: "3x3 s1 8->16 10x13", inChannels: 8, height: 10, width: 13, outChannels: 16, kernel: 3,
                 pads: [1, 1, 1, 1], seed: 6),
        IntegerConvCase(name: "3x3 s2 i8 7->12 11x9 relu", inChannels: 7, height: 11, width: 9, outChannels: 12, kernel: 3,
                 stride: 2, pads: [1, 1, 1, 1], input: .i8, inputZero: 9, epilogue: .u8ReluPerTensor, seed: 7),
        IntegerConvCase(name: "3x3 s2 dilation 2 uneven pads int32", inChannels: 5, height: 12, width: 12, outChannels: 6,
                 kernel: 3, stride: 2, dilation: 2, pads: [0, 1, 2, 0], epilogue: .int32, seed: 8),
        IntegerConvCase(name: "grouped 2 3x3 8->6 dequantize", inChannels: 8, height: 6, width: 7, outChannels: 6, kernel: 3,
                 group: 2, pads: [1, 1, 1, 1], epilogue: .dequantize, seed: 9),
        IntegerConvCase(name: "grouped 4 pointwise batch 2 16->8", batch: 2, inChannels: 16, height: 5, width: 5,
                 outChannels: 8, group: 4, input: .i8, inputZero: 0, seed: 10),
        // Im2col groups of one run and of two (a row's end and the next row's start), strides 1 and 2.
        IntegerConvCase(name: "3x3 s2 i8 5->8 40x66 -> 20x33", inChannels: 5, height: 40, width: 66, outChannels: 8,
                 kernel: 3, stride: 2, pads: [1, 1, 1, 1], input: .i8, inputZero: 3, seed: 19),
        IntegerConvCase(name: "3x3 s1 6->8 5x40 relu", inChannels: 6, height: 5, width: 40, outChannels: 8, kernel: 3,
                 pads: [1, 1, 1, 1], inputZero: 60, epilogue: .u8ReluPerTensor, seed: 20),
        IntegerConvCase(name: "stem-like 3x3 s2 i8 in, u8 weights (zero 128)", inChannels: 3, height: 23, width: 23,
                 outChannels: 16, kernel: 3, stride: 2, pads: [1, 1, 1, 1], input: .i8, inputZero: -1,
                 weightType: .u8, weightZero: [128], seed: 11),
        IntegerConvCase(name: "1x1 stride 2 12->20", inChannels: 12, height: 9, width: 9, outChannels: 20, stride: 2, seed: 12),
        IntegerConvCase(name: "3x3 saturating", inChannels: 4, height: 6, width: 6, outChannels: 9, kernel: 3,
                 pads: [1, 1, 1, 1], epilogue: .saturate, seed: 13),
        IntegerConvCase(name: "1x1 per-channel int8 weight zero points", inChannels: 10, height: 4, width: 6, outChannels: 3,
                 weightZero: [3, -7, 0], seed: 14),
        IntegerConvCase(name: "5x5 pad 2 3->5 8x8", inChannels: 3, height: 8, width: 8, outChannels: 5, kernel: 5,
                 pads: [2, 2, 2, 2], input: .i8, inputZero: -128, seed: 15),
    ]

    static let depthwiseCases: [IntegerConvCase] = [
        IntegerConvCase(name: "depthwise 3x3 s1 19ch 10x21 u8 weights zero 100", inChannels: 19, height: 10, width: 21,
                 outChannels: 19, kernel: 3, group: 19, pads: [1, 1, 1, 1], inputZero: 3, weightType: .u8,
                 weightZero: [100], epilogue: .u8ReluPerTensor, seed: 21),
        IntegerConvCase(name: "depthwise 3x3 s2 batch 2 i8", batch: 2, inChannels: 16, height: 15, width: 17, outChannels: 16,
                 kernel: 3, stride: 2, group: 16, pads: [1, 1, 1, 1], input: .i8, inputZero: -2, seed: 22),
        IntegerConvCase(name: "depthwise 5x5 s1 dequantize", inChannels: 7, height: 9, width: 35, outChannels: 7, kernel: 5,
                 group: 7, pads: [2, 2, 2, 2], epilogue: .dequantize, seed: 23,
                 avx512Variant: "general"),
        IntegerConvCase(name: "depthwise 5x5 s2 int32", inChannels: 5, height: 14, width: 14, outChannels: 5, kernel: 5,
                 stride: 2, group: 5, pads: [2, 2, 2, 2], epilogue: .int32, seed: 24),
        IntegerConvCase(name: "depthwise 3x3 valid dilation 2", inChannels: 4, height: 12, width: 12, outChannels: 4,
                 kernel: 3, dilation: 2, group: 4, seed: 25),
        IntegerConvCase(name: "depthwise 3x3 s2 i8 width 71", inChannels: 3, height: 5, width: 71, outChannels: 3,
                 kernel: 3, stride: 2, group: 3, pads: [1, 1, 1, 1], input: .i8, inputZero: 11, seed: 27,
                 avx512Variant: "paired taps"),
        IntegerConvCase(name: "depthwise 3x3 s2 u8 width 66 even pad", inChannels: 3, height: 6, width: 66,
                 outChannels: 3, kernel: 3, stride: 2, group: 3, pads: [2, 2, 2, 2], inputZero: 200, seed: 28),
        IntegerConvCase(name: "depthwise 3x3 s1 i8 width 70 int32", inChannels: 3, height: 4, width: 70,
                 outChannels: 3, kernel: 3, group: 3, pads: [1, 1, 1, 1], input: .i8, inputZero: -9,
                 epilogue: .int32, seed: 29),
        IntegerConvCase(name: "depthwise 3x3 s1 valid width 37 dequantize", inChannels: 5, height: 5, width: 37,
                 outChannels: 5, kernel: 3, group: 5, inputZero: 250, weightType: .u8, weightZero: [7],
                 epilogue: .dequantize, seed: 30),
        IntegerConvCase(name: "depthwise 3x3 s1 narrow 14x14 batch 2", batch: 2, inChannels: 6, height: 14, width: 14,
                 outChannels: 6, kernel: 3, group: 6, pads: [1, 1, 1, 1], input: .i8, inputZero: 4, seed: 36,
                 avx512Variant: "paired taps"),
        IntegerConvCase(name: "depthwise 3x3 s2 width 50 uneven pads dequantize", inChannels: 4, height: 7, width: 50,
                 outChannels: 4, kernel: 3, stride: 2, group: 4, pads: [0, 1, 1, 0], inputZero: 128,
                 epilogue: .dequantize, seed: 37),
        IntegerConvCase(name: "depthwise 3x3 s1 7x7 odd rows int32", inChannels: 9, height: 7, width: 7,
                 outChannels: 9, kernel: 3, group: 9, pads: [1, 1, 1, 1], input: .i8, inputZero: -100,
                 epilogue: .int32, seed: 38),
        IntegerConvCase(name: "depthwise 3x3 s1 13x13 valid dequantize", inChannels: 3, height: 13, width: 13,
                 outChannels: 3, kernel: 3, group: 3, epilogue: .dequantize, seed: 39),
        IntegerConvCase(name: "depthwise 3x3 width 40 saturating", inChannels: 8, height: 6, width: 40, outChannels: 8,
                 kernel: 3, group: 8, pads: [1, 1, 1, 1], epilogue: .saturate, seed: 26),
        IntegerConvCase(name: "depthwise 3x3 s2 28x28 -> 14 narrow i8", inChannels: 5, height: 28, width: 28,
                 outChannels: 5, kernel: 3, stride: 2, group: 5, pads: [1, 1, 1, 1], input: .i8, inputZero: -5,
                 seed: 40, avx512Variant: "narrow stride 2, rows of 16"),
        IntegerConvCase(name: "depthwise 3x3 s2 14x14 -> 7 narrow batch 2 relu", batch: 2, inChannels: 6, height: 14,
                 width: 14, outChannels: 6, kernel: 3, stride: 2, group: 6, pads: [1, 1, 1, 1], inputZero: 40,
                 epilogue: .u8ReluPerTensor, seed: 41, avx512Variant: "channel lanes"),
        IntegerConvCase(name: "depthwise 3x3 s2 13x15 -> 6x7 valid dequantize", inChannels: 3, height: 13, width: 15,
                 outChannels: 3, kernel: 3, stride: 2, group: 3, inputZero: 250, epilogue: .dequantize, seed: 42,
                 avx512Variant: "channel lanes"),
        IntegerConvCase(name: "depthwise 3x3 s2 9x29 uneven pads int32", inChannels: 4, height: 9, width: 29,
                 outChannels: 4, kernel: 3, stride: 2, group: 4, pads: [0, 1, 2, 2], input: .i8, inputZero: 100,
                 epilogue: .int32, seed: 43, avx512Variant: "narrow stride 2, rows of 16"),
        IntegerConvCase(name: "depthwise 3x3 s2 3x3 pad 1 -> 2x2 saturating", inChannels: 7, height: 3, width: 3,
                 outChannels: 7, kernel: 3, stride: 2, group: 7, pads: [1, 1, 1, 1], epilogue: .saturate, seed: 44,
                 avx512Variant: "channel lanes"),
        // A plane too tall for the channel-lane scratch keeps the parity sub-planes.
        IntegerConvCase(name: "depthwise 3x3 s2 600x14 -> 7 wide, tall", inChannels: 3, height: 600, width: 14,
                 outChannels: 3, kernel: 3, stride: 2, group: 3, pads: [1, 1, 1, 1], inputZero: 90, seed: 46,
                 avx512Variant: "narrow stride 2, rows of 8"),
        // Channel lanes: a partial last group of 16, several 16-pixel blocks, batch 2, any filter size.
        IntegerConvCase(name: "depthwise 3x3 s1 7x7 40 channels batch 2 relu", batch: 2, inChannels: 40, height: 7,
                 width: 7, outChannels: 40, kernel: 3, group: 40, pads: [1, 1, 1, 1], inputZero: 3,
                 epilogue: .u8ReluPerTensor, seed: 47, avx512Variant: "channel lanes"),
        IntegerConvCase(name: "depthwise 5x5 s1 7x7 i8 20 channels", inChannels: 20, height: 7, width: 7,
                 outChannels: 20, kernel: 5, group: 20, pads: [2, 2, 2, 2], input: .i8, inputZero: -20,
                 weightZero: Array(repeating: 0, count: 20), seed: 48, avx512Variant: "channel lanes"),
        IntegerConvCase(name: "depthwise 3x3 dilation 2 9x9 -> 5x5 int32", inChannels: 17, height: 9, width: 9,
                 outChannels: 17, kernel: 3, dilation: 2, group: 17, pads: [0, 0, 0, 0], inputZero: 255,
                 epilogue: .int32, seed: 49, avx512Variant: "channel lanes"),
        IntegerConvCase(name: "depthwise 3x3 s2 16x32 -> 16 wide", inChannels: 3, height: 16, width: 32,
                 outChannels: 3, kernel: 3, stride: 2, group: 3, pads: [1, 1, 1, 1], seed: 45,
                 avx512Variant: "general"),
    ]

    @Test("GEMM convolutions match the oracle bit for bit on every path, 1 and 2 threads", arguments: gemmCases)
    func gemmConv(_ c: IntegerConvCase) throws {
        let f = IntegerConvFixture(c)
        let prepared = try #require(f.prepared)
        #expect(!prepared.isDepthwise)
        forEachIntegerISA { isa in
            if isa == .avx512vnni, let variant = c.avx512Variant {
                #expect(prepared.gemmVariant(inputShape: f.input.shape, isa: isa) == variant)
            }
            for threads in [1, 2] {
                IntegerKernelISA.$requested.withValue(.portable) { _ = prepared.run(poisoned(f.input), threads: threads) }
                let problem = IntegerOracle.mismatch(prepared.run(f.input, threads: threads), f.expected)
                #expect(problem == nil, "\(isa), \(threads) threads: \(problem ?? "")")
            }
        }
    }

    @Test("Depthwise convolutions match the oracle bit for bit on every path, 1 and 2 threads",
          arguments: depthwiseCases)
    func depthwiseConv(_ c: IntegerConvCase) throws {
        let f = IntegerConvFixture(c)
        let prepared = try #require(f.prepared)
        #expect(prepared.isDepthwise)
        forEachIntegerISA { isa in
            if isa == .avx512vnni, let variant = c.avx512Variant {
                #expect(prepared.depthwiseVariant(inputShape: f.input.shape, isa: isa) == variant)
            }
            for threads in [1, 2] {
                IntegerKernelISA.$requested.withValue(.portable) { _ = prepared.run(poisoned(f.input), threads: threads) }
                let problem = IntegerOracle.mismatch(prepared.run(f.input, threads: threads), f.expected)
                #expect(problem == nil, "\(isa), \(threads) threads: \(problem ?? "")")
            }
        }
    }

    struct DenseCase: Sendable, CustomStringConvertible {
        var name: String
        var inputShape: [Int]
        var channels: Int
        var input: DType = .u8, inputZero: Int32 = 9
        var weightType: DType = .i8, weightZero: [Int32] = [0]
        var epilogue: EpilogueChoice = .i8PerChannel
        var seed: UInt64
        var description: String { name }
    }

    static let denseCases: [DenseCase] = [
        DenseCase(name: "dense [1, 37] x [37, 21]", inputShape: [1, 37], channels: 21, seed: 31),
        DenseCase(name: "dense [2, 3, 70] x [70, 40] i8, u8 weights, dequantize", inputShape: [2, 3, 70], channels: 40,
                  input: .i8, inputZero: -7, weightType: .u8, weightZero: [128], epilogue: .dequantize, seed: 32),
        DenseCase(name: "dense [5, 16] x [16, 1000] int32", inputShape: [5, 16], channels: 1000, epilogue: .int32,
                  seed: 33),
        DenseCase(name: "dense classifier [1, 1280] x [1280, 100] relu", inputShape: [1, 1280], channels: 100,
                  epilogue: .u8ReluPerTensor, seed: 34),
        DenseCase(name: "dense [40, 33] x [33, 9] saturating", inputShape: [40, 33], channels: 9, input: .i8,
                  inputZero: 0, epilogue: .saturate, seed: 35),
        DenseCase(name: "dense [1, 1281] x [1281, 1000] int32, odd depth steps", inputShape: [1, 1281], channels: 1000,
                  epilogue: .int32, seed: 36),
        DenseCase(name: "dense [1, 9] x [9, 300] i8, dequantize, ragged last block", inputShape: [1, 9], channels: 300,
                  input: .i8, inputZero: -3, epilogue: .dequantize, seed: 37),
        DenseCase(name: "dense [1, 1, 2048] x [2048, 1000] per-channel", inputShape: [1, 1, 2048], channels: 1000,
                  seed: 38),
    ]

    @Test("Dense layers match the oracle bit for bit on every path, 1 and 2 threads", arguments: denseCases)
    func dense(_ c: DenseCase) throws {
        var rng = SplitMix64(state: c.seed)
        let depth = c.inputShape.last!, rows = c.inputShape.reduce(1, *) / depth
        let x = rng.ints(rows * depth, int8Range(c.input))
        let w: [Int32] = (0..<depth * c.channels).map { i in
            let z = c.weightZero[c.weightZero.count == 1 ? 0 : i % c.channels], r = int8Range(c.weightType)
            return rng.int(max(r.lowerBound, z - 128)...min(r.upperBound, z + 127))
        }
        let bias = rng.ints(c.channels, -20000...20000)
        let epilogue = c.epilogue.make(channels: c.channels, depth: depth, &rng)
        let prepared = try #require(PreparedIntegerDense(
            weight: int8Tensor(c.weightType, shape: [depth, c.channels], w), weightZeroPoints: c.weightZero, bias: bias,
            inputZeroPoint: c.inputZero, inputType: c.input, epilogue: epilogue))
        let acc = IntegerOracle.dense(x: x, rows: rows, depth: depth, xZero: c.inputZero, w: w, channels: c.channels,
                                      wZero: c.weightZero, bias: bias)
        let expected = IntegerOracle.apply(epilogue, acc, shape: c.inputShape.dropLast() + [c.channels]) { $0 % c.channels }
        let input = int8Tensor(c.input, shape: c.inputShape, x)
        forEachIntegerISA { isa in
            for threads in [1, 2] {
                IntegerKernelISA.$requested.withValue(.portable) { _ = prepared.run(poisoned(input), threads: threads) }
                let problem = IntegerOracle.mismatch(prepared.run(input, threads: threads), expected)
                #expect(problem == nil, "\(isa), \(threads) threads: \(problem ?? "")")
            }
        }
    }

    @Test("Requantizing rounds ties to even, then adds the zero point, then clamps (worked values)")
    func roundingTies() throws {
        // A 1x1 single-channel conv with weight 1 and input zero point 0: acc = x + bias, so the ratio 0.5
        // lands exactly on halves. 37 columns cover full vectors and ragged tails on every path.
        let xs: [Int32] = (0..<37).map { Int32($0 * 7 % 256) }
        let bias: Int32 = -101
        let epilogue = IntegerEpilogue.requantize(ratios: [0.5], zeroPoint: 3, output: .i8, lower: -10, upper: 60)
        let prepared = try #require(PreparedIntegerConv(
            weight: Tensor(shape: [1, 1, 1, 1], int8s: [1]), weightZeroPoints: [0], bias: [bias], inputZeroPoint: 0,
            inputType: .u8, attributes: ConvAttributes(), epilogue: epilogue))
        // acc 5 -> 2.5 -> 2 -> 5; acc 7 -> 3.5 -> 4 -> 7; acc -3 -> -1.5 -> -2 -> 1; acc -101 -> -50.5 -> -50 -> -47 -> clamped to -10.
        let worked: [(acc: Int32, y: Int8)] = [(5, 5), (7, 7), (-3, 1), (-101, -10), (200, 60), (113, 59)]
        for (acc, y) in worked {
            #expect(IntegerOracle.apply(epilogue, [acc], shape: [1], channel: { _ in 0 }) == Tensor(shape: [1], int8s: [y]))
        }
        let expected = IntegerOracle.apply(epilogue, xs.map { $0 + bias }, shape: [1, 1, 1, 37]) { _ in 0 }
        forEachIntegerISA { isa in
            let problem = IntegerOracle.mismatch(prepared.run(Tensor(shape: [1, 1, 1, 37], uint8s: xs.map { UInt8($0) }),
                                                              threads: 1), expected)
            #expect(problem == nil, "\(isa): \(problem ?? "")")
        }
    }

    @Test("Convolutions and inputs the kernels do not handle are declined with nil")
    func declines() {
        let attributes = ConvAttributes()
        // uint8 weights with zero point 3: w - 3 reaches 252, outside int8, so the GEMM declines.
        #expect(PreparedIntegerConv(weight: Tensor(shape: [2, 1, 1, 1], uint8s: [255, 0]), weightZeroPoints: [3],
                                    bias: nil, inputZeroPoint: 0, inputType: .u8, attributes: attributes,
                                    epilogue: .int32) == nil)
        // An input zero point outside the input type.
        #expect(PreparedIntegerConv(weight: Tensor(shape: [2, 1, 1, 1], int8s: [1, 2]), weightZeroPoints: [0],
                                    bias: nil, inputZeroPoint: 200, inputType: .i8, attributes: attributes,
                                    epilogue: .int32) == nil)
        // Two ratios for three channels.
        #expect(PreparedIntegerConv(weight: Tensor(shape: [3, 1, 1, 1], int8s: [1, 2, 3]), weightZeroPoints: [0],
                                    bias: nil, inputZeroPoint: 0, inputType: .u8, attributes: attributes,
                                    epilogue: .dequantize(scales: [1, 2])) == nil)
        let prepared = PreparedIntegerConv(weight: Tensor(shape: [2, 1, 1, 1], int8s: [1, 2]), weightZeroPoints: [0],
                                           bias: nil, inputZeroPoint: 0, inputType: .u8, attributes: attributes,
                                           epilogue: .int32)
        #expect(prepared != nil)
        // Input of the wrong type or channel count.
        #expect(prepared?.run(Tensor(shape: [1, 1, 2, 2], int8s: [1, 2, 3, 4]), threads: 1) == nil)
        #expect(prepared?.run(Tensor(shape: [1, 2, 2, 2], uint8s: Array(repeating: 1, count: 8)), threads: 1) == nil)
        let dense = PreparedIntegerDense(weight: Tensor(shape: [2, 3], int8s: [1, 2, 3, 4, 5, 6]), weightZeroPoints: [0],
                                         bias: nil, inputZeroPoint: 0, inputType: .u8, epilogue: .int32)
        #expect(dense?.run(Tensor(shape: [1, 3], uint8s: [1, 2, 3]), threads: 1) == nil)
    }

    @Test("The VNNI and AVX2 integer kernels are chosen exactly when the CPU lists their flags")
    func bestMatchesCPUFlags() {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            print("SKIPPED: no /proc/cpuinfo flags to compare with")
            return
        }
        let flags = Set(line.split(separator: " ").map(String.init))
        #if arch(x86_64)
        let vnni = ["avx512f", "avx512bw", "avx512vl", "avx512_vnni"].allSatisfy(flags.contains)
        let expected: IntegerKernelISA = vnni ? .avx512vnni : flags.contains("avx2") && flags.contains("fma") ? .avx2 : .portable
        #else
        let expected: IntegerKernelISA = .portable
        #endif
        #expect(IntegerKernelISA.best == expected)
        IntegerKernelISA.$requested.withValue(.portable) { #expect(IntegerKernelISA.current == .portable) }
    }
}
