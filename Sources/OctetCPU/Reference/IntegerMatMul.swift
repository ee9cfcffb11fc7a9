import OctetIR

/// MatMulInteger with an int32 bias: `acc[.., n] = bias[n] + Σ_k (a[.., k] - a_zp) · (b[k, n] - b_zp[n])`.
///
/// The left operand has any rank (its last axis is K); the right one is a [K, N] matrix, as in the dense
/// layers the realize pass lowers and the QOperator files onnxruntime writes.
enum IntegerMatMul {
    static func run(_ ctx: KernelContext) throws -> Tensor {
        let a = try ctx.input(0), b = try ctx.input(1)
        guard a.rank >= 1, b.rank == 2 else {
            throw ctx.unsupported("operands \(a.shape) and \(b.shape); MatMulInteger handles [.., K] × [K, N]")
        }
        let depth = b.shape[0], columns = b.shape[1]
        guard a.shape[a.rank - 1] == depth else {
            throw ctx.error("\(a.shape) × \(b.shape): inner sizes \(a.shape[a.rank - 1]) and \(depth) differ")
        }
        let operands = try IntegerOperands(ctx, data: 0, weight: 1, bias: 2, dataZero: 3, weightZero: 4,
                                           outputChannels: columns)
        let rows = depth == 0 ? a.count : a.count / depth
        let outShape = (a.rank == 1 ? [] : Array(a.shape.dropLast())) + [columns]
        var out = [Int32](repeating: 0, count: try ctx.elementCount(outShape))
        let (lhs, rhs) = (operands.data, operands.weight)
        out.withUnsafeMutableBufferPointer { dst in
            parallelFor(rows, threads: ctx.threads) { r in
                for n in 0..<columns {
                    var acc = operands.bias(n)
                    let bz = operands.weightZero(n)
                    for k in 0..<depth {
                        acc &+= (lhs[r * depth + k] - operands.dataZero) &* (rhs[k * columns + n] - bz)
                    }
                    dst[r * columns + n] = acc
                }
            }
        }
        return Tensor(shape: outShape, int32s: out)
    }
}
