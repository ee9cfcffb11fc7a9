import OctetCPUKernels
import OctetIR

/// An integer dense layer (ONNX MatMulInteger / QLinearMatMul's core with a constant B) on the int8 GEMM.
///
/// The GEMM's rows are the N output channels and its columns the M input rows, so the weights are packed
/// once like a 1x1 convolution's; the [N][M] result is transposed to [M][N] when M > 1.
public final class PreparedIntegerDense: Sendable {
    let weights: PackedInt8Weights
    let inputType: DType
    let inputZeroPoint: Int32
    let epilogue: IntegerEpilogueTable
    /// Per output channel: the bias less the folded zero-point term.
    let bias: [Int32]

    /// weight: .i8 or .u8 [K, N] (MatMul's B); the rest as above with N output channels.
    /// nil when w - wZero leaves int8 or the shapes or types do not fit.
    public init?(weight: Tensor, weightZeroPoints: [Int32], bias: [Int32]?, inputZeroPoint: Int32, inputType: DType,
                 epilogue: IntegerEpilogue) {
        guard weight.rank == 2, weight.shape.allSatisfy({ $0 > 0 }), let w = weight.int8Values else { return nil }
        let (depth, channels) = (weight.shape[0], weight.shape[1])
        guard weightZeroPoints.count == 1 || weightZeroPoints.count == channels,
              bias == nil || bias!.count == channels,
              let zx = IntegerActivation.unsignedZeroPoint(inputZeroPoint, inputType),
              let table = IntegerEpilogueTable(epilogue, channels: channels) else { return nil }
        func centred(_ n: Int, _ k: Int) -> Int32 {
            w[k * channels + n] - weightZeroPoints[weightZeroPoints.count == 1 ? 0 : n]
        }
        for n in 0..<channels {
            for k in 0..<depth where !(-128...127).contains(centred(n, k)) { return nil }
        }
        self.inputType = inputType
        self.inputZeroPoint = inputZeroPoint
        self.epilogue = table
        let packed = PackedInt8Weights(rows: channels, depth: depth) { n, k in centred(n, k) }
        let bias = bias ?? Array(repeating: 0, count: channels)
        self.bias = (0..<channels).map { bias[$0] &- Int32(zx) &* packed.rowSums[$0] }
        weights = packed
    }

    /// input [..., K] -> output [..., N]; nil when the input's type or last axis does not fit.
    public func run(_ input: Tensor, threads: Int) -> Tensor? {
        guard input.dtype == inputType, input.rank >= 1, input.shape.last == weights.depth,
              input.shape.allSatisfy({ $0 > 0 }) else { return nil }
        let (depth, channels) = (weights.depth, weights.rows)
        let m = input.count / depth
        let outShape = Array(input.shape.dropLast()) + [channels]
        let size = epilogue.elementSize
        let flip: UInt8 = inputType == .i8 ? 0x80 : 0
        let isa = IntegerKernelISA.current
        let groups = (m + 15) / 16
        if m == 1 && isa == .avx512vnni {
            return epilogue.makeOutput(shape: outShape, count: channels) { out in vector(input, flip: flip, out, threads) }
        }
        return epilogue.makeOutput(shape: outShape, count: m * channels) { out in
            // The GEMM writes [N][M]; with one input row that is already [M][N].
            let target = m == 1 ? out : UnsafeMutableRawPointer.allocate(byteCount: m * channels * size, alignment: 64)
            defer { if m > 1 { target.deallocate() } }
            let b = UnsafeMutablePointer<UInt8>.allocate(capacity: groups * weights.depth4 * 64)
            defer { b.deallocate() }
            _ = input.withInt8Bytes { x in
                weights.packed.withUnsafeBufferPointer { a in
                    weights.pairs.withUnsafeBufferPointer { pairs in
                        bias.withUnsafeBufferPointer { bias in
                            epilogue.scales.withUnsafeBufferPointer { s in
                                let gemm = OctetI8GEMM(
                                    a: a.baseAddress, a_pairs: pairs.baseAddress, b: b, rows: channels, columns: m,
                                    depth4: weights.depth4, c: target, ldc: m,
                                    epilogue: epilogue.c(bias: bias.baseAddress!, scales: s.baseAddress, first: 0))
                                IntegerGEMM.multiply(isa, gemm, blockCount: weights.blocks, threads: threads) { range in
                                    octet_i8_pack_columns(x, depth, depth, m, flip, weights.depth4, range.lowerBound,
                                                          range.upperBound, b)
                                }
                            }
                        }
                    }
                }
            }
            if m > 1 {
                for n in 0..<channels {
                    for row in 0..<m {
                        (out + (row * channels + n) * size).copyMemory(from: target + (n * m + row) * size, byteCount: size)
                    }
                }
            }
        }
    }

    /// One input row on AVX-512 VNNI: a matrix-vector product, the blocks of 8 output channels split over
    /// the threads, instead of a GEMM whose 16-column tiles would hold one column.
    private func vector(_ input: Tensor, flip: UInt8, _ out: UnsafeMutableRawPointer, _ threads: Int) {
        let (depth, blocks) = (weights.depth, weights.blocks)
        let x = UnsafeMutablePointer<UInt8>.allocate(capacity: weights.depth4 * 4)
        defer { x.deallocate() }
        x.initialize(repeating: 0, count: weights.depth4 * 4)
        _ = input.withInt8Bytes { source in
            for k in 0..<depth { x[k] = source[k] ^ flip }
        }
        weights.packed.withUnsafeBufferPointer { a in
            bias.withUnsafeBufferPointer { bias in
                epilogue.scales.withUnsafeBufferPointer { s in
                    var gemm = OctetI8GEMM(
                        a: a.baseAddress, a_pairs: nil, b: nil, rows: weights.rows, columns: 1,
                        depth4: weights.depth4, c: out, ldc: 1,
                        epilogue: epilogue.c(bias: bias.baseAddress!, scales: s.baseAddress, first: 0))
                    withUnsafePointer(to: &gemm) { g in
                        // Small products are not worth waking the workers.
                        let parts = max(1, min(threads, blocks / 16))
                        parallelFor(parts, threads: parts) { t in
                            octet_i8gemv_avx512vnni(g, x, blocks * t / parts, blocks * (t + 1) / parts)
                        }
                    }
                }
            }
        }
    }
}
