/// Brings a subsampled component row up to full resolution the way libjpeg does by default
/// ("fancy upsampling"): a triangle filter weighting the nearer sample 3/4 and the farther 1/4,
/// with libjpeg's alternating rounding biases so results match it exactly. Edges replicate the
/// outermost sample row or column.
enum JPEGUpsampling {
    /// Which filter libjpeg's jinit_upsampler picks for a component.
    enum Method {
        case fullSize
        case fancyH2V1
        case fancyH1V2
        case fancyH2V2
        /// Plain replication by whole factors (libjpeg's choice for 2x widths of at most 2 samples
        /// and for factors other than 2).
        case replicate(h: Int, v: Int)
    }

    static func method(for c: JPEGComponent, frame: JPEGFrame) -> Method {
        let h = frame.maxH / c.h, v = frame.maxV / c.v
        switch (h, v) {
        case (1, 1): return .fullSize
        case (2, 1) where c.width > 2: return .fancyH2V1
        case (1, 2): return .fancyH1V2
        case (2, 2) where c.width > 2: return .fancyH2V2
        default: return .replicate(h: h, v: v)
        }
    }

    /// Output row `y` of the component in `plane` (`c.width` by `c.height` valid samples) into `out`,
    /// which holds at least `2 * c.width` (or `h * c.width`) samples.
    @inline(__always)
    static func row(
        _ y: Int, method: Method, plane: UnsafeMutablePointer<UInt8>, c: JPEGComponent,
        out: UnsafeMutablePointer<UInt8>
    ) {
        switch method {
        case .fullSize:
            out.update(from: plane + y * c.stride, count: c.width)
        case .fancyH2V1:
            h2v1(plane + y * c.stride, width: c.width, out: out)
        case .fancyH1V2:
            let (near, far, bias) = verticalNeighbors(y, plane: plane, c: c)
            for i in 0..<c.width {
                out[i] = UInt8(truncatingIfNeeded: (Int(near[i]) * 3 + Int(far[i]) + (bias ? 2 : 1)) >> 2)
            }
        case .fancyH2V2:
            let (near, far, _) = verticalNeighbors(y, plane: plane, c: c)
            h2v2(near, far, width: c.width, out: out)
        case .replicate(let h, let v):
            let input = plane + (y / v) * c.stride
            for x in 0..<c.width {
                let sample = input[x]
                for j in 0..<h { out[x * h + j] = sample }
            }
        }
    }

    /// The nearest input row for output row y and the next nearest (above for even y, below for odd),
    /// clamped to the component's rows; `true` when the neighbor is below (libjpeg's larger bias).
    @inline(__always)
    private static func verticalNeighbors(
        _ y: Int, plane: UnsafeMutablePointer<UInt8>, c: JPEGComponent
    ) -> (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, Bool) {
        let r = min(y >> 1, c.height - 1)
        let below = y & 1 == 1
        let other = below ? min(r + 1, c.height - 1) : max(r - 1, 0)
        return (plane + r * c.stride, plane + other * c.stride, below)
    }

    /// out[2i] = (3·in[i] + in[i-1] + 1) / 4, out[2i+1] = (3·in[i] + in[i+1] + 2) / 4; ends copy.
    @inline(__always)
    private static func h2v1(_ input: UnsafeMutablePointer<UInt8>, width n: Int, out: UnsafeMutablePointer<UInt8>) {
        out[0] = input[0]
        out[1] = UInt8(truncatingIfNeeded: (Int(input[0]) * 3 + Int(input[1]) + 2) >> 2)
        for i in 1..<(n - 1) {
            let center = Int(input[i]) * 3
            out[2 * i] = UInt8(truncatingIfNeeded: (center + Int(input[i - 1]) + 1) >> 2)
            out[2 * i + 1] = UInt8(truncatingIfNeeded: (center + Int(input[i + 1]) + 2) >> 2)
        }
        out[2 * n - 2] = UInt8(truncatingIfNeeded: (Int(input[n - 1]) * 3 + Int(input[n - 2]) + 1) >> 2)
        out[2 * n - 1] = input[n - 1]
    }

    /// Column sums 3·near + far, then the same triangle along the row in sixteenths (biases 8 and 7).
    @inline(__always)
    private static func h2v2(
        _ near: UnsafeMutablePointer<UInt8>, _ far: UnsafeMutablePointer<UInt8>, width n: Int,
        out: UnsafeMutablePointer<UInt8>
    ) {
        @inline(__always) func sum(_ i: Int) -> Int { Int(near[i]) * 3 + Int(far[i]) }
        var this = sum(0), next = sum(1), last = this
        out[0] = UInt8(truncatingIfNeeded: (this * 4 + 8) >> 4)
        out[1] = UInt8(truncatingIfNeeded: (this * 3 + next + 7) >> 4)
        last = this
        this = next
        for i in 1..<(n - 1) {
            next = sum(i + 1)
            out[2 * i] = UInt8(truncatingIfNeeded: (this * 3 + last + 8) >> 4)
            out[2 * i + 1] = UInt8(truncatingIfNeeded: (this * 3 + next + 7) >> 4)
            last = this
            this = next
        }
        out[2 * n - 2] = UInt8(truncatingIfNeeded: (this * 3 + last + 8) >> 4)
        out[2 * n - 1] = UInt8(truncatingIfNeeded: (this * 4 + 7) >> 4)
    }
}
