/// The right operand of a k×k convolution, one image and one group, gathered straight into packed panels.
///
/// Row `k = (c·kh + ky)·kw + kx` (the weight's layout), column `n = oy·outWidth + ox` (the output's layout):
/// `B[k][n] = input[c][oy·sy + ky·dy − top][ox·sx + kx·dx − left]`, zero in the padding. Only one
/// K × N block exists at a time, so the im2col matrix is never materialized.
struct Im2colRHS: RHSPacker {
    let input: UnsafePointer<Float>
    let geometry: ConvGeometry

    /// Row by row of B: each row of the block is first gathered contiguously (one copy per output row, the
    /// padding as zero runs found in closed form), then cut into the 16-float rows of its panels.
    func pack(depth: Range<Int>, columns: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
        let g = geometry
        let lanes = MicroTile.columns, kc = depth.count
        let width = columns.count
        let end = max(columns.lowerBound, min(columns.upperBound, g.outPlane))
        let row = UnsafeMutablePointer<Float>.allocate(capacity: width)
        defer { row.deallocate() }
        row.update(repeating: 0, count: width)
        let taps = g.kernelHeight * g.kernelWidth
        for kk in 0..<kc {
            let k = depth.lowerBound + kk
            let (c, ky, kx) = (k / taps, (k % taps) / g.kernelWidth, k % g.kernelWidth)
            let plane = input + c * g.inPlane
            let dy = ky * g.dilationY - g.padTop, dx = kx * g.dilationX - g.padLeft
            // The output columns whose input column ox·sx + dx lies inside the row: [inLow, inHigh).
            let inLow = dx >= 0 ? 0 : min(g.outWidth, (-dx + g.strideX - 1) / g.strideX)
            let inHigh = max(inLow, min(g.outWidth, (g.width - dx + g.strideX - 1) / g.strideX))
            var n = columns.lowerBound
            while n < end {
                let (oy, first) = (n / g.outWidth, n % g.outWidth)
                let last = min(g.outWidth, first + (end - n))
                let target = row + (n - columns.lowerBound) - first   // target[ox] is column oy·outWidth + ox
                let iy = oy * g.strideY + dy
                if iy < 0 || iy >= g.height {
                    zero(target, first..<last)
                } else {
                    let lo = min(max(first, inLow), last), hi = max(lo, min(last, inHigh))
                    zero(target, first..<lo)
                    let source = plane + iy * g.width + dx   // source[ox·sx] for ox in lo..<hi
                    switch g.strideX {
                    case 1: (target + lo).update(from: source + lo, count: hi - lo)
                    case 2: gatherEven(source, lo..<hi, into: target)
                    default: for ox in lo..<hi { target[ox] = source[ox * g.strideX] }
                    }
                    zero(target, hi..<last)
                }
                n += last - first
            }
            var out = panels + kk * lanes
            for q in stride(from: 0, to: width, by: lanes) {
                UnsafeMutableRawPointer(out).storeBytes(
                    of: UnsafeRawPointer(row + q).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                out += kc * lanes
            }
        }
    }

    /// `target[i] = source[2i]` for i in `range`, eight at a time from two loads.
    @inline(__always)
    private func gatherEven(_ source: UnsafePointer<Float>, _ range: Range<Int>, into target: UnsafeMutablePointer<Float>) {
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            // Values 0...7 and 7...14 of the run: a 16th value would lie past the last one needed.
            let raw = UnsafeRawPointer(source + 2 * i)
            let a = raw.loadUnaligned(as: SIMD8<Float>.self), b = raw.loadUnaligned(fromByteOffset: 28, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: SIMD8(lowHalf: a.evenHalf, highHalf: b.oddHalf),
                                                           as: SIMD8<Float>.self)
            i += 8
        }
        while i < range.upperBound {
            target[i] = source[2 * i]
            i += 1
        }
    }

    @inline(__always)
    private func zero(_ p: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { p[i] = 0 }
    }
}
