/// The right operand of a k×k convolution, one image and one group, gathered straight into packed panels.
///
/// Row `k = (c·kh + ky)·kw + kx` (the weight's layout), column `n = oy·outWidth + ox` (the output's layout):
/// `B[k][n] = input[c][oy·sy + ky·dy − top][ox·sx + kx·dx − left]`, zero in the padding. The input is read
/// from `PaddedPlanes`, so every tap is in bounds; only one K × N block exists at a time, so the im2col
/// matrix is never materialized.
struct Im2colRHS: RHSPacker {
    let planes: PaddedPlanes
    let geometry: ConvGeometry

    /// Panel by panel: where the 16 columns' windows start is worked out once per panel, then every row of
    /// the panel is one 16-value read (the columns lie along one output row), two blended reads (across
    /// one row break), or a gather.
    func pack(depth: Range<Int>, columns: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
        let g = geometry, lanes = MicroTile.columns, kc = depth.count
        let source = planes.values
        // Per row of the block: its tap's offset from a window's top-left corner in the padded planes.
        let tapOffsets = UnsafeMutablePointer<Int>.allocate(capacity: kc)
        let corners = UnsafeMutablePointer<Int>.allocate(capacity: lanes)
        defer { tapOffsets.deallocate(); corners.deallocate() }
        let taps = g.kernelHeight * g.kernelWidth
        for kk in 0..<kc {
            let k = depth.lowerBound + kk
            let (c, ky, kx) = (k / taps, (k % taps) / g.kernelWidth, k % g.kernelWidth)
            tapOffsets[kk] = c * planes.plane + ky * g.dilationY * planes.width + kx * g.dilationX
        }
        var dst = panels
        for j0 in stride(from: columns.lowerBound, to: columns.upperBound, by: lanes) {
            let valid = max(0, min(lanes, g.outPlane - j0))
            for l in 0..<lanes {
                // Columns past the matrix read column j0's window (in bounds); they are zeroed below.
                let n = j0 + min(l, max(0, valid - 1))
                corners[l] = (n / g.outWidth) * g.strideY * planes.width + (n % g.outWidth) * g.strideX
            }
            switch PanelShape(corners, valid: valid, strideX: g.strideX) {
            case .run(let stride):
                for kk in 0..<kc {
                    let p = UnsafeRawPointer(source + tapOffsets[kk] + corners[0])
                    let v: SIMD16<Float>
                    if stride == 1 {
                        v = p.loadUnaligned(as: SIMD16<Float>.self)
                    } else {
                        // Values 0...15 and 15...30: a 32nd value would lie past the last one needed.
                        let a = p.loadUnaligned(as: SIMD16<Float>.self)
                        let b = p.loadUnaligned(fromByteOffset: 15 * 4, as: SIMD16<Float>.self)
                        v = SIMD16(lowHalf: a.evenHalf, highHalf: b.oddHalf)
                    }
                    UnsafeMutableRawPointer(dst + kk * lanes).storeBytes(of: v, as: SIMD16<Float>.self)
                }
            case .split(let at):
                // Lanes before `at` continue row one's run, the rest start row two's (read `at` values early).
                let second = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Int32(at)
                let (first, next) = (corners[0], corners[at] - at)
                for kk in 0..<kc {
                    let a = UnsafeRawPointer(source + tapOffsets[kk] + first).loadUnaligned(as: SIMD16<Float>.self)
                    let b = UnsafeRawPointer(source + tapOffsets[kk] + next).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(dst + kk * lanes).storeBytes(
                        of: a.replacing(with: b, where: second), as: SIMD16<Float>.self)
                }
            case .gather:
                for kk in 0..<kc {
                    let (src, out) = (source + tapOffsets[kk], dst + kk * lanes)
                    for l in 0..<valid { out[l] = src[corners[l]] }
                    for l in valid..<lanes { out[l] = 0 }
                }
            }
            dst += kc * lanes
        }
    }
}

/// How the 16 windows of one panel lie in the padded planes, which decides how each row is read.
private enum PanelShape {
    /// Evenly spaced by `stride` (1 or 2): one output row, or rows that touch in the padded planes.
    case run(stride: Int)
    /// Stride 1, two runs: lanes `at...` start a new row.
    case split(at: Int)
    /// Anything else: the last panel, several rows, wide strides.
    case gather

    init(_ corners: UnsafeMutablePointer<Int>, valid: Int, strideX: Int) {
        let lanes = MicroTile.columns
        guard valid == lanes, strideX <= 2 else {
            self = .gather
            return
        }
        var breaks = 0, at = 0
        for l in 1..<lanes where corners[l] != corners[l - 1] + strideX {
            breaks += 1
            at = l
        }
        switch breaks {
        case 0: self = .run(stride: strideX)
        // Row two's run read from `at` values before its start must stay inside the planes.
        case 1 where strideX == 1 && corners[at] >= at: self = .split(at: at)
        default: self = .gather
        }
    }
}

/// One image and group's input planes with their zero padding written around them, so that every tap of
/// every window is an in-bounds read (the planes themselves when the convolution does not pad).
struct PaddedPlanes {
    let values: UnsafePointer<Float>
    /// Padded plane size: rows and columns far enough for the last window.
    let height: Int, width: Int
    var plane: Int { height * width }
    private let owned: UnsafeMutablePointer<Float>?

    init(input: UnsafePointer<Float>, geometry g: ConvGeometry, threads: Int) {
        height = max(g.height + g.padTop, (g.outHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1)
        width = max(g.width + g.padLeft, (g.outWidth - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX + 1)
        guard g.padTop > 0 || g.padLeft > 0 || height > g.height || width > g.width else {
            values = input
            owned = nil
            return
        }
        let (channels, planeSize) = (g.inChannelsPerGroup, height * width)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: channels * planeSize)
        let (h, w, top, left, paddedWidth) = (g.height, g.width, g.padTop, g.padLeft, width)
        let parts = channels * planeSize < 1 << 16 ? 1 : max(1, min(threads, channels))
        parallelFor(parts, threads: parts) { t in
            for c in (channels * t / parts)..<(channels * (t + 1) / parts) {
                let target = buffer + c * planeSize
                target.update(repeating: 0, count: planeSize)
                for y in 0..<h {
                    (target + (y + top) * paddedWidth + left).update(from: input + (c * h + y) * w, count: w)
                }
            }
        }
        values = UnsafePointer(buffer)
        owned = buffer
    }

    func deallocate() { owned?.deallocate() }
}
