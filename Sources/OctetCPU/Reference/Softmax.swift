import Foundation
import OctetIR

/// Softmax along one axis (opset 13 form), with the maximum subtracted so large inputs stay finite.
enum Softmax {
    static func run(axis: Int, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let a = try ctx.normalizedAxis(axis, rank: max(x.rank, 1))
        let values = try ctx.floats(x)
        let n = x.rank == 0 ? 1 : x.shape[a]
        let inner = x.rank == 0 ? 1 : product(x.shape, (a + 1)..<x.rank)
        let outer = x.rank == 0 ? 1 : product(x.shape, 0..<a)
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                parallelFor(outer, threads: outer * n * inner > 1 << 16 ? ctx.threads : 1) { o in
                    for j in 0..<inner {
                        let base = o * n * inner + j
                        var m = -Float.infinity
                        for k in 0..<n { m = max(m, src[base + k * inner]) }
                        var sum: Float = 0
                        for k in 0..<n {
                            let e = Foundation.exp(src[base + k * inner] - m)
                            dst[base + k * inner] = e
                            sum += e
                        }
                        let scale = 1 / sum
                        for k in 0..<n { dst[base + k * inner] *= scale }
                    }
                }
            }
        }
        return ctx.floatTensor(shape: x.shape, out, like: x)
    }
}
