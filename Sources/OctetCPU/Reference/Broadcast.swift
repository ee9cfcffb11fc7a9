/// Numpy broadcasting: shapes align at the right, dimensions of 1 stretch.
enum Broadcast {
    /// The broadcast shape of `a` and `b`, or nil when a pair of dimensions differs and neither is 1.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides that read `shape` as if it had `outShape` (0 along stretched axes).
    static func strides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: outShape.count - shape.count) + shape
        let rowMajor = padded.rowMajorStrides
        return (0..<outShape.count).map { padded[$0] == 1 && outShape[$0] != 1 ? 0 : rowMajor[$0] }
    }

    /// `f(a[i], b[j])` over the broadcast shape `outShape`, written row-major.
    ///
    /// Adjacent axes that both operands read contiguously merge first, so `[N,C,H,W] + [1,C,1,1]` runs as
    /// `C` inner loops of `H*W` instead of walking four axes per element.
    @inline(__always)
    static func apply<A, B, R: BitwiseCopyable>(_ a: UnsafeBufferPointer<A>, _ aShape: [Int],
                                               _ b: UnsafeBufferPointer<B>, _ bShape: [Int],
                                               outShape: [Int], _ f: (A, B) -> R) -> [R] {
        let count = outShape.reduce(1, *)
        let loops = mergedLoops(outShape, strides(aShape, to: outShape), strides(bShape, to: outShape))
        return [R](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard count > 0 else { return }
            guard let last = loops.last else {
                out[0] = f(a[0], b[0])
                return
            }
            let outer = loops.dropLast()
            var index = [Int](repeating: 0, count: outer.count)
            var ia = 0, ib = 0, o = 0
            let n = last.count, sa = last.strideA, sb = last.strideB
            while o < count {
                if sa == 1 && sb == 1 {
                    for i in 0..<n { out[o + i] = f(a[ia + i], b[ib + i]) }
                } else if sa == 1 && sb == 0 {
                    let y = b[ib]
                    for i in 0..<n { out[o + i] = f(a[ia + i], y) }
                } else if sa == 0 && sb == 1 {
                    let x = a[ia]
                    for i in 0..<n { out[o + i] = f(x, b[ib + i]) }
                } else {
                    for i in 0..<n { out[o + i] = f(a[ia + i * sa], b[ib + i * sb]) }
                }
                o += n
                var k = outer.count - 1
                while k >= 0 {
                    let loop = outer[outer.startIndex + k]
                    index[k] += 1
                    ia += loop.strideA
                    ib += loop.strideB
                    if index[k] < loop.count { break }
                    ia -= loop.strideA * loop.count
                    ib -= loop.strideB * loop.count
                    index[k] = 0
                    k -= 1
                }
            }
        }
    }

    struct Loop {
        var count: Int
        var strideA: Int
        var strideB: Int
    }

    /// Drops axes of extent 1 and merges an axis into the next when both operands step through them as one.
    static func mergedLoops(_ shape: [Int], _ sa: [Int], _ sb: [Int]) -> [Loop] {
        var loops: [Loop] = []
        for k in 0..<shape.count where shape[k] != 1 {
            let next = Loop(count: shape[k], strideA: sa[k], strideB: sb[k])
            if let prev = loops.last, prev.strideA == next.strideA * next.count, prev.strideB == next.strideB * next.count {
                loops[loops.count - 1] = Loop(count: prev.count * next.count, strideA: next.strideA, strideB: next.strideB)
            } else {
                loops.append(next)
            }
        }
        return loops
    }
}
