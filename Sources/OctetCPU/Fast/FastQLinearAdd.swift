import OctetCPUKernels
import OctetIR

/// QLinearAdd of two int8 or uint8 tensors of one shape (a residual connection), by `QLinearRules.Add`:
/// the C kernel's fused multiply-adds in vector registers, bit-identical to the reference.
struct FastQLinearAdd: Sendable {
    let rule: QLinearRules.Add
    let output: DType

    // Below this the thread pool's start costs more than half the add; MobileNetV2's 14x14 residuals (12544
    // values) already gain from two threads.
    static let parallelThreshold = 1 << 12

    /// nil when the operands are not integers of the output's type and of one shape.
    func run(_ a: Tensor, _ b: Tensor, threads: Int) -> Tensor? {
        guard a.shape == b.shape, a.dtype == output, b.dtype == output else { return nil }
        switch (a.storage, b.storage) {
        case (.i8(let x), .i8(let y)): return run(x, y, shape: a.shape, threads: threads)
        case (.u8(let x), .u8(let y)): return run(x, y, shape: a.shape, threads: threads)
        default: return nil
        }
    }

    private func run<T: BitwiseCopyable>(_ x: [T], _ y: [T], shape: [Int], threads: Int) -> Tensor {
        let count = x.count
        let flip: UInt8 = rule.shift == 128 ? 0x80 : 0
        let isa: Int32 = KernelISA.current == .avx512 ? 2 : KernelISA.current >= .avx2 ? 1 : 0
        let (ra, rb, fixed, lower, upper) = (rule.ratioA, rule.ratioB, rule.fixed, rule.lower, rule.upper)
        func fill(_ out: UnsafeMutableRawBufferPointer) {
            x.withUnsafeBytes { xb in
                y.withUnsafeBytes { yb in
                    let (xp, yp) = (xb.bindMemory(to: UInt8.self).baseAddress!, yb.bindMemory(to: UInt8.self).baseAddress!)
                    let parts = count < Self.parallelThreshold ? 1 : max(1, threads)
                    parallelFor(parts, threads: parts) { t in
                        let start = count * t / parts, end = count * (t + 1) / parts
                        octet_qlinear_add_u8(xp + start, yp + start, out.bindMemory(to: UInt8.self).baseAddress! + start,
                                             end - start, flip, ra, rb, fixed, lower, upper, isa)
                    }
                }
            }
        }
        if output == .u8 {
            return Tensor(shape: shape, uint8s: [UInt8](unsafeUninitializedCapacity: count) { out, n in
                fill(UnsafeMutableRawBufferPointer(out)); n = count
            })
        }
        return Tensor(shape: shape, int8s: [Int8](unsafeUninitializedCapacity: count) { out, n in
            fill(UnsafeMutableRawBufferPointer(out)); n = count
        })
    }
}
