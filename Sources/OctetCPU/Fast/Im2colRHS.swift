/// The right operand of a k×k convolution, one image and one group, gathered straight into packed panels.
///
/// Row `k = (c·kh + ky)·kw + kx` (the weight's layout), column `n = oy·outWidth + ox` (the output's layout):
/// `B[k][n] = input[c][oy·sy + ky·dy − top][ox·sx + kx·dx − left]`, zero in the padding. Only one
/// K × N block exists at a time, so the im2col matrix is never materialized.
struct Im2colRHS: RHSPacker {
    let input: UnsafePointer<Float>
    let geometry: ConvGeometry

    func pack(depth: Range<Int>, columns: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
        let g = geometry
        let lanes = MicroTile.columns
        let kc = depth.count
        // Per row of the block: where its tap lands relative to an output pixel's top-left input corner.
        let taps = g.kernelHeight * g.kernelWidth
        var tapY = [Int](repeating: 0, count: kc), tapX = tapY, tapOffset = tapY
        for kk in 0..<kc {
            let k = depth.lowerBound + kk
            let (c, ky, kx) = (k / taps, (k % taps) / g.kernelWidth, k % g.kernelWidth)
            tapY[kk] = ky * g.dilationY
            tapX[kk] = kx * g.dilationX
            tapOffset[kk] = c * g.inPlane + tapY[kk] * g.width + tapX[kk]
        }
        var laneY = [Int](repeating: 0, count: lanes), laneX = laneY
        var dst = panels
        for j0 in stride(from: columns.lowerBound, to: columns.upperBound, by: lanes) {
            let valid = max(0, min(lanes, g.outPlane - j0))
            for l in 0..<lanes {
                let n = min(j0 + l, g.outPlane - 1)
                laneY[l] = (n / g.outWidth) * g.strideY - g.padTop
                laneX[l] = (n % g.outWidth) * g.strideX - g.padLeft
            }
            // All sixteen columns in one output row: each tap is one strided run of the input row.
            let oneRow = valid == lanes && laneY[0] == laneY[lanes - 1]
            for kk in 0..<kc {
                let out = dst + kk * lanes
                let iy = laneY[0] + tapY[kk], ix = laneX[0] + tapX[kk]
                let last = ix + (lanes - 1) * g.strideX
                if oneRow && iy >= 0 && iy < g.height && ix >= 0 && last < g.width {
                    let src = input + tapOffset[kk] + laneY[0] * g.width + laneX[0]
                    copyRun(src, stride: g.strideX, to: out)
                    copyRun(src + 8 * g.strideX, stride: g.strideX, to: out + 8)
                } else {
                    for l in 0..<lanes {
                        let y = laneY[l] + tapY[kk], x = laneX[l] + tapX[kk]
                        let inside = l < valid && y >= 0 && y < g.height && x >= 0 && x < g.width
                        out[l] = inside ? input[tapOffset[kk] + laneY[l] * g.width + laneX[l]] : 0
                    }
                }
            }
            dst += kc * lanes
        }
    }

    /// Eight values `src[0], src[stride], …` into one packed panel row; vector loads for strides 1 and 2.
    @inline(__always)
    private func copyRun(_ src: UnsafePointer<Float>, stride: Int, to out: UnsafeMutablePointer<Float>) {
        let raw = UnsafeRawPointer(src)
        let target = UnsafeMutableRawPointer(out)
        switch stride {
        case 1:
            target.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        case 2:
            // Values 0...7 and 7...14: a 16th value would lie past the last one needed, maybe past the input.
            let a = raw.loadUnaligned(as: SIMD8<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: 28, as: SIMD8<Float>.self)
            target.storeBytes(of: SIMD8(lowHalf: a.evenHalf, highHalf: b.oddHalf), as: SIMD8<Float>.self)
        default:
            for l in 0..<8 { out[l] = src[l * stride] }
        }
    }
}
