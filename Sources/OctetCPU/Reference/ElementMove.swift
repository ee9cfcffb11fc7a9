import OctetIR

/// A data movement that never looks at element values, so one implementation serves every dtype.
///
/// Layout ops (Transpose, Slice, Gather, Pad, Concat, ...) describe where elements go; `Tensor.moving`
/// runs the description on whichever typed array the tensors hold.
protocol ElementMover {
    /// Writes `destination` from `sources`. Positions it skips keep the fill value (or must not exist).
    func move<T: BitwiseCopyable>(_ sources: [UnsafeBufferPointer<T>], into destination: UnsafeMutableBufferPointer<T>)
}

extension Tensor {
    /// A tensor of `shape` written by `mover` from `sources` (all of one dtype), starting from `fill` when given.
    static func moving(_ sources: [Tensor], shape: [Int], dtype: DType, fill: Tensor? = nil,
                       _ mover: some ElementMover) -> Tensor {
        let count = shape.reduce(1, *)
        let storage: Storage
        switch dtype {
        case .f32: storage = .f32(run(sources, count, fill, mover) { if case .f32(let v) = $0 { v } else { nil } })
        case .f16: storage = .f16(run(sources, count, fill, mover) { if case .f16(let v) = $0 { v } else { nil } })
        case .i8: storage = .i8(run(sources, count, fill, mover) { if case .i8(let v) = $0 { v } else { nil } })
        case .u8: storage = .u8(run(sources, count, fill, mover) { if case .u8(let v) = $0 { v } else { nil } })
        case .i32: storage = .i32(run(sources, count, fill, mover) { if case .i32(let v) = $0 { v } else { nil } })
        case .i64: storage = .i64(run(sources, count, fill, mover) { if case .i64(let v) = $0 { v } else { nil } })
        case .bool: storage = .bool(run(sources, count, fill, mover) { if case .bool(let v) = $0 { v } else { nil } })
        }
        return Tensor(shape: shape, storage: storage)
    }

    /// `dtype` elements all equal to the first element of `scalar` (which must hold `dtype`).
    static func filled(_ scalar: Tensor, shape: [Int]) -> Tensor {
        moving([], shape: shape, dtype: scalar.dtype, fill: scalar, NoMove())
    }
}

/// Callers check dtypes first; a source of another dtype here is a programming error, so it reads as empty.
private func run<T: BitwiseCopyable>(_ sources: [Tensor], _ count: Int, _ fill: Tensor?, _ mover: some ElementMover,
                                     _ extract: (Tensor.Storage) -> [T]?) -> [T] {
    let arrays = sources.map { extract($0.storage) ?? [] }
    if let fill, let value = extract(fill.storage)?.first {
        var out = [T](repeating: value, count: count)
        out.withUnsafeMutableBufferPointer { dst in withBuffers(arrays[...], []) { mover.move($0, into: dst) } }
        return out
    }
    return [T](unsafeUninitializedCapacity: count) { dst, initialized in
        withBuffers(arrays[...], []) { mover.move($0, into: dst) }
        initialized = count
    }
}

/// Nests `withUnsafeBufferPointer` over every array, so the pointers stay valid while `body` runs.
private func withBuffers<T>(_ arrays: ArraySlice<[T]>, _ done: [UnsafeBufferPointer<T>],
                            _ body: ([UnsafeBufferPointer<T>]) -> Void) {
    guard let first = arrays.first else { return body(done) }
    first.withUnsafeBufferPointer { withBuffers(arrays.dropFirst(), done + [$0], body) }
}

private struct NoMove: ElementMover {
    func move<T: BitwiseCopyable>(_ sources: [UnsafeBufferPointer<T>], into destination: UnsafeMutableBufferPointer<T>) {}
}

/// Writes the destination in row-major order; each output axis has a table of source offsets, and the
/// source offset of an element is the sum over axes. A negative table entry marks a padded position
/// that keeps the fill value. Transpose, Slice, Split, Gather, Pad and nearest Resize are all tables.
struct OffsetTableMove: ElementMover {
    /// One table per output axis, `tables[k].count == outputShape[k]`.
    var tables: [[Int]]

    func move<T: BitwiseCopyable>(_ sources: [UnsafeBufferPointer<T>], into destination: UnsafeMutableBufferPointer<T>) {
        guard let src = sources.first, destination.count > 0 else { return }
        if tables.isEmpty {
            destination[0] = src[0]
            return
        }
        let rank = tables.count
        let inner = tables[rank - 1]
        let innerCount = inner.count
        let innerIsRun = inner.allSatisfy { $0 >= 0 } && zip(inner, inner.dropFirst()).allSatisfy { $1 == $0 + 1 }
        var index = [Int](repeating: 0, count: max(rank - 1, 0))
        var out = 0
        inner.withUnsafeBufferPointer { innerTable in
            while out < destination.count {
                var base = 0
                var padded = false
                for k in 0..<(rank - 1) {
                    let entry = tables[k][index[k]]
                    if entry < 0 { padded = true }
                    base += entry
                }
                if !padded {
                    if innerIsRun {
                        let start = base + innerTable[0]
                        for i in 0..<innerCount { destination[out + i] = src[start + i] }
                    } else {
                        for i in 0..<innerCount where innerTable[i] >= 0 {
                            destination[out + i] = src[base + innerTable[i]]
                        }
                    }
                }
                out += innerCount
                var k = rank - 2
                while k >= 0 {
                    index[k] += 1
                    if index[k] < tables[k].count { break }
                    index[k] = 0
                    k -= 1
                }
            }
        }
    }
}

/// Concatenation along an axis: `outer` rows, each the sources' blocks side by side.
struct ConcatMove: ElementMover {
    var outer: Int
    /// Elements each source contributes to one row.
    var blocks: [Int]

    func move<T: BitwiseCopyable>(_ sources: [UnsafeBufferPointer<T>], into destination: UnsafeMutableBufferPointer<T>) {
        let row = blocks.reduce(0, +)
        var offset = 0
        for (src, block) in zip(sources, blocks) {
            for o in 0..<outer {
                let from = o * block, to = o * row + offset
                for i in 0..<block { destination[to + i] = src[from + i] }
            }
            offset += block
        }
    }
}

extension OffsetTableMove {
    /// Tables that read `shape` (row-major) with `strides` per axis, starting at `start` per axis.
    static func strided(shape: [Int], sourceStrides: [Int], start: [Int], step: [Int]) -> OffsetTableMove {
        var tables: [[Int]] = []
        for k in 0..<shape.count {
            tables.append((0..<shape[k]).map { (start[k] + $0 * step[k]) * sourceStrides[k] })
        }
        return OffsetTableMove(tables: tables)
    }
}
