import OctetIR

/// 2-D MaxPool (a ResNet stem's 3x3 stride 2) of float or 8-bit integer values by separable maxima: each
/// output row first takes the maximum of its window's input rows as one vector pass, then each output the
/// maximum along that row. On a realized graph it runs on the integers themselves.
public enum FastMaxPool {
    /// MaxPool of an NCHW f32, int8 or uint8 tensor; nil when the fast kernel does not handle the case (not
    /// 2-D, dilated, ceil mode, auto_pad, or a window lying wholly in the padding), so the reference runs it.
    public static func run(_ x: Tensor, _ a: PoolAttributes, threads: Int) -> Tensor? {
        switch x.storage {
        case .f32(let v): return run(v, x.shape, a, threads: threads).map { Tensor(shape: $0.shape, floats: $0.values) }
        case .i8(let v): return run(v, x.shape, a, threads: threads).map { Tensor(shape: $0.shape, int8s: $0.values) }
        case .u8(let v): return run(v, x.shape, a, threads: threads).map { Tensor(shape: $0.shape, uint8s: $0.values) }
        default: return nil
        }
    }

    private static func run<T: Comparable & BitwiseCopyable>(_ values: [T], _ shape: [Int], _ a: PoolAttributes,
                                                              threads: Int) -> (values: [T], shape: [Int])? {
        guard shape.count == 4, shape.allSatisfy({ $0 > 0 }),
              a.kernelShape.count == 2, a.autoPad == .notSet, !a.ceilMode,
              a.dilations.allSatisfy({ $0 == 1 }), a.dilations.count <= 2 else { return nil }
        let (kh, kw) = (a.kernelShape[0], a.kernelShape[1])
        let strides = a.strides.isEmpty ? [1, 1] : a.strides
        let pads = a.pads.isEmpty ? [0, 0, 0, 0] : a.pads
        guard kh >= 1, kw >= 1, strides.count == 2, strides.allSatisfy({ $0 >= 1 }), pads.count == 4,
              pads.allSatisfy({ $0 >= 0 }), pads[0] < kh, pads[2] < kh, pads[1] < kw, pads[3] < kw else { return nil }
        let (h, w) = (shape[2], shape[3])
        guard h + pads[0] + pads[2] >= kh, w + pads[1] + pads[3] >= kw else { return nil }
        let outH = (h + pads[0] + pads[2] - kh) / strides[0] + 1
        let outW = (w + pads[1] + pads[3] - kw) / strides[1] + 1
        let planes = shape[0] * shape[1]
        let count = planes * outH * outW
        let window = Window(kh: kh, kw: kw, sy: strides[0], sx: strides[1], top: pads[0], left: pads[1],
                            h: h, w: w, outH: outH, outW: outW)
        let output = [T](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { input in
                let parts = count < 1 << 14 ? 1 : max(1, min(threads, planes))
                parallelFor(parts, threads: parts) { t in
                    // 32 spare values: a stride-2 vector step reads one past the last value it uses.
                    let rowMax = UnsafeMutablePointer<T>.allocate(capacity: w + 32)
                    rowMax.initialize(repeating: values[0], count: w + 32)
                    defer { rowMax.deallocate() }
                    for p in (planes * t / parts)..<(planes * (t + 1) / parts) {
                        window.pool(input.baseAddress! + p * h * w, into: out.baseAddress! + p * outH * outW,
                                    rowMax: rowMax)
                    }
                }
            }
            initialized = count
        }
        return (output, [shape[0], shape[1], outH, outW])
    }

    private struct Window {
        let kh: Int, kw: Int, sy: Int, sx: Int, top: Int, left: Int
        let h: Int, w: Int, outH: Int, outW: Int

        // Specialized for each element type: the generic form compares through witness tables, and a float
        // plane would not reach the vector `maximum` below (a ResNet stem's pool took 4.8 ms that way).
        @_specialize(where T == Float)
        @_specialize(where T == Int8)
        @_specialize(where T == UInt8)
        func pool<T: Comparable>(_ plane: UnsafePointer<T>, into out: UnsafeMutablePointer<T>,
                                 rowMax: UnsafeMutablePointer<T>) {
            for oy in 0..<outH {
                let y0 = max(0, oy * sy - top), y1 = min(h, oy * sy - top + kh)
                rowMax.update(from: plane + y0 * w, count: w)
                for y in (y0 + 1)..<max(y0 + 1, y1) {
                    if T.self == Float.self {
                        maximum(UnsafeMutableRawPointer(rowMax).assumingMemoryBound(to: Float.self),
                                UnsafeRawPointer(plane + y * w).assumingMemoryBound(to: Float.self))
                    } else {
                        maximum(rowMax, plane + y * w)
                    }
                }
                var ox = 0
                if T.self == Float.self {
                    ox = inside.lowerBound
                    // Outputs before the first whole window stay with the scalar loop below.
                    for o in 0..<ox { out[oy * outW + o] = windowMax(rowMax, o) }
                    ox = vectorMaxima(UnsafeRawPointer(rowMax).assumingMemoryBound(to: Float.self),
                                      UnsafeMutableRawPointer(out + oy * outW).assumingMemoryBound(to: Float.self),
                                      from: ox)
                }
                for o in ox..<outW { out[oy * outW + o] = windowMax(rowMax, o) }
            }
        }

        /// The maximum of output `ox`'s window in the row maxima: the first value inside the row, then every
        /// later one that is greater (so a NaN first stays, a NaN later is passed over, as the reference does).
        @inline(__always)
        private func windowMax<T: Comparable>(_ rowMax: UnsafeMutablePointer<T>, _ ox: Int) -> T {
            let x0 = max(0, ox * sx - left), x1 = min(w, ox * sx - left + kw)
            var best = rowMax[x0]
            for x in (x0 + 1)..<max(x0 + 1, x1) where rowMax[x] > best { best = rowMax[x] }
            return best
        }

        /// The outputs whose windows lie wholly inside the row: [first, last + 1).
        var inside: Range<Int> {
            let first = min(outW, (left + sx - 1) / sx)
            let last = w - kw + left >= 0 ? min(outW - 1, (w - kw + left) / sx) : -1
            return first..<max(first, last + 1)
        }

        /// 16 outputs at a time from `from` while their windows lie inside the row (column strides 1 and 2),
        /// with windowMax's order of comparisons; returns the first output left to the scalar loop. A
        /// stride-2 step reads 32 values from its first, one past the last it uses: `rowMax` has room for it.
        private func vectorMaxima(_ rowMax: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                  from start: Int) -> Int {
            guard sx <= 2 else { return start }
            let end = inside.upperBound
            var ox = start
            while ox + 16 <= end {
                let base = UnsafeRawPointer(rowMax + ox * sx - left)
                func tap(_ kx: Int) -> SIMD16<Float> {
                    let p = base + kx * 4
                    if sx == 1 { return p.loadUnaligned(as: SIMD16<Float>.self) }
                    let a = p.loadUnaligned(as: SIMD16<Float>.self)
                    let b = p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                    return SIMD16(lowHalf: a.evenHalf, highHalf: b.evenHalf)
                }
                var best = tap(0)
                for kx in 1..<max(1, kw) {
                    let v = tap(kx)
                    best.replace(with: v, where: v .> best)
                }
                UnsafeMutableRawPointer(out + ox).storeBytes(of: best, as: SIMD16<Float>.self)
                ox += 16
            }
            return ox
        }

        /// `into[i] = max(into[i], row[i])` over one input row (a plain loop the compiler vectorizes for integers).
        private func maximum<T: Comparable>(_ into: UnsafeMutablePointer<T>, _ row: UnsafePointer<T>) {
            for i in 0..<w where row[i] > into[i] { into[i] = row[i] }
        }

        private func maximum(_ into: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>) {
            var i = 0
            while i + 8 <= w {
                let a = UnsafeRawPointer(into + i).loadUnaligned(as: SIMD8<Float>.self)
                let b = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(into + i).storeBytes(of: a.replacing(with: b, where: b .> a), as: SIMD8<Float>.self)
                i += 8
            }
            while i < w {
                if row[i] > into[i] { into[i] = row[i] }
                i += 1
            }
        }
    }
}

extension FastMaxPool {
    /// A MaxPool node on the fast kernel; nil when it declines or the node asks for the indices output.
    static func run(_ a: PoolAttributes, _ ctx: KernelContext) -> [Tensor]? {
        guard !ctx.wantsOutput(1), let x = ctx.optionalInput(0) else { return nil }
        return run(x, a, threads: ctx.threads).map { [$0] }
    }
}
