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
        let kc = depth.count
        let panelSize = kc * MicroTile.columns
        let taps = g.kernelHeight * g.kernelWidth
        let end = min(columns.upperBound, g.outPlane)
        for kk in 0..<kc {
            let k = depth.lowerBound + kk
            let c = k / taps, ky = (k % taps) / g.kernelWidth, kx = k % g.kernelWidth
            let plane = input + c * g.inPlane
            let rowOffset = ky * g.dilationY - g.padTop
            let columnOffset = kx * g.dilationX - g.padLeft
            // Output columns whose input column lies inside the image: ox in [first, last).
            let first = min(g.outWidth, max(0, (-columnOffset + g.strideX - 1) / g.strideX))
            let last = max(first, min(g.outWidth, (g.width - columnOffset + g.strideX - 1) / g.strideX))
            var n = columns.lowerBound
            var oy = n / g.outWidth, ox = n % g.outWidth
            while n < end {
                let run = min(g.outWidth - ox, end - n)
                let iy = oy * g.strideY + rowOffset
                let inside = iy >= 0 && iy < g.height
                let row = plane + iy * g.width + columnOffset
                for x in ox..<ox + run {
                    let j = n + x - ox - columns.lowerBound
                    let value = inside && x >= first && x < last ? row[x * g.strideX] : 0
                    panels[(j >> 3) * panelSize + kk * MicroTile.columns + (j & 7)] = value
                }
                n += run
                ox = 0
                oy += 1
            }
            for n in end..<max(end, columns.upperBound) {
                let j = n - columns.lowerBound
                panels[(j >> 3) * panelSize + kk * MicroTile.columns + (j & 7)] = 0
            }
        }
    }
}
