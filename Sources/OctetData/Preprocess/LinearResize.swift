/// Bilinear resizing of 8-bit images with the arithmetic of OpenCV's `cv::resize(INTER_LINEAR)`, the
/// resize behind MXNet's `im2rec` and `ImageRecordIter`.
///
/// Pixel centers are aligned (`fx = (dx + 0.5) * scale - 0.5`, computed in double, kept as float);
/// the two weights are `round(2048 * (1 - fx))` and `round(2048 * fx)`; rows are combined as OpenCV's
/// vector path does, `((h0 >> 4) * b0 >> 16) + ((h1 >> 4) * b1 >> 16)` then `(v + 2) >> 2`. An exact
/// halving takes OpenCV's area path, `(a + b + c + d + 2) >> 2`; an unchanged size is a copy.
///
/// | source (1 row) | dst width | fx of dx = 0..   | weights (2048 = 1) | result        |
/// |----------------|-----------|------------------|--------------------|---------------|
/// | `0 100`        | 4         | -.25 .25 .75 1.25 | edge, 1536/512, 512/1536, edge | `0 25 75 100` |
/// | `0 100 200`    | 2         | .25 1.75          | 1536/512, 512/1536 | `25 175`      |
public enum LinearResize {
    /// A rectangle of the resized image.
    public struct Window: Sendable, Equatable {
        public var x: Int, y: Int, width: Int, height: Int

        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
    }

    /// The most pixels a resize may produce: a bound against absurd sizes from a hostile file.
    public static let maxOutputPixels = 1 << 26

    /// `image` resized to `width` x `height`.
    public static func resize(_ image: Image, width: Int, height: Int) throws(DataError) -> Image {
        try resize(image, width: width, height: height, window: Window(x: 0, y: 0, width: width, height: height))
    }

    /// The pixels inside `window` of `image` resized to `width` x `height`, computing only those.
    public static func resize(_ image: Image, width: Int, height: Int, window: Window) throws(DataError) -> Image {
        guard image.width > 0, image.height > 0 else { throw DataError("cannot resize an empty image") }
        guard width > 0, height > 0, window.width > 0, window.height > 0, window.x >= 0, window.y >= 0,
              window.x + window.width <= width, window.y + window.height <= height else {
            throw DataError("resize window \(window) does not fit a \(width)x\(height) image")
        }
        guard window.width.multipliedReportingOverflow(by: window.height).partialValue <= maxOutputPixels,
              window.width <= maxOutputPixels, window.height <= maxOutputPixels else {
            throw DataError("a \(window.width)x\(window.height) resize is over the \(maxOutputPixels)-pixel limit")
        }
        if width == image.width, height == image.height { return crop(image, window) }
        if width * 2 == image.width, height * 2 == image.height { return halve(image, window) }
        return bilinear(image, width: width, height: height, window: window)
    }

    /// Source index and fixed-point weights for each destination coordinate in `range`.
    struct Taps {
        var index: [Int]
        var next: [Int]
        var w0: [Int32]
        var w1: [Int32]

        init(source: Int, destination: Int, range: Range<Int>, clampFraction: Bool) {
            // OpenCV computes the inverse scale first, then its reciprocal; keep both roundings.
            let scale = 1.0 / (Double(destination) / Double(source))
            index = []; next = []; w0 = []; w1 = []
            for d in range {
                var f = Float((Double(d) + 0.5) * scale - 0.5)
                var s = Int(f.rounded(.down))
                f -= Float(s)
                // Columns past an edge take the edge pixel whole; rows keep the weights and clamp the rows.
                if clampFraction, s < 0 { f = 0; s = 0 }
                if clampFraction, s >= source - 1 { f = 0; s = source - 1 }
                index.append(min(max(s, 0), source - 1))
                next.append(min(max(s + 1, 0), source - 1))
                w0.append(Int32(((1 - f) * 2048).rounded(.toNearestOrEven)))
                w1.append(Int32((f * 2048).rounded(.toNearestOrEven)))
            }
        }
    }

    private static func bilinear(_ image: Image, width: Int, height: Int, window: Window) -> Image {
        let cn = image.channels
        let xs = Taps(source: image.width, destination: width, range: window.x..<(window.x + window.width),
                      clampFraction: true)
        let ys = Taps(source: image.height, destination: height, range: window.y..<(window.y + window.height),
                      clampFraction: false)
        let rowLength = window.width * cn
        // Per output element (channels interleaved): the two source offsets in a row and their weights.
        var off0 = [Int](repeating: 0, count: rowLength), off1 = off0
        var w0 = [Int32](repeating: 0, count: rowLength), w1 = w0
        for dx in 0..<window.width {
            for c in 0..<cn {
                off0[dx * cn + c] = xs.index[dx] * cn + c
                off1[dx * cn + c] = xs.next[dx] * cn + c
                w0[dx * cn + c] = xs.w0[dx]
                w1[dx * cn + c] = xs.w1[dx]
            }
        }
        var out = [UInt8](repeating: 0, count: rowLength * window.height)
        // Two horizontally resampled source rows, kept while consecutive output rows share them.
        var rows = [Int32](repeating: 0, count: 2 * rowLength)
        let stride = image.width * cn
        image.pixels.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
        rows.withUnsafeMutableBufferPointer { buffer in
        off0.withUnsafeBufferPointer { off0 in off1.withUnsafeBufferPointer { off1 in
        w0.withUnsafeBufferPointer { w0 in w1.withUnsafeBufferPointer { w1 in
            func horizontal(_ row: Int, into slot: Int) {
                let base = row * stride, h = slot * rowLength
                for i in 0..<rowLength {
                    buffer[h + i] = Int32(src[base + off0[i]]) * w0[i] + Int32(src[base + off1[i]]) * w1[i]
                }
            }
            var slotRow = [-1, -1]
            var first = 0  // the slot holding the upper row
            for dy in 0..<window.height {
                let r0 = ys.index[dy], r1 = ys.next[dy]
                if slotRow[first] != r0, slotRow[1 - first] == r0 { first = 1 - first }
                if slotRow[first] != r0 {
                    horizontal(r0, into: first)
                    slotRow[first] = r0
                }
                if slotRow[1 - first] != r1 {
                    horizontal(r1, into: 1 - first)
                    slotRow[1 - first] = r1
                }
                let b0 = ys.w0[dy], b1 = ys.w1[dy]
                let h0 = first * rowLength, h1 = (1 - first) * rowLength, o = dy * rowLength
                for i in 0..<rowLength {
                    // OpenCV's SIMD rounding: pre-shift by 4, high half of a 16x16 product.
                    let v = (((buffer[h0 + i] >> 4) * b0) >> 16) + (((buffer[h1 + i] >> 4) * b1) >> 16)
                    dst[o + i] = UInt8(clamping: (v + 2) >> 2)
                }
            }
        } }
        } }
        }
        }
        }
        return Image(width: window.width, height: window.height, channels: cn, pixels: out)
    }

    /// OpenCV's fast area path for an exact 2x reduction: the rounded mean of each 2x2 block.
    private static func halve(_ image: Image, _ window: Window) -> Image {
        let cn = image.channels, stride = image.width * cn
        var out = [UInt8](repeating: 0, count: window.width * window.height * cn)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var o = 0
                for dy in window.y..<(window.y + window.height) {
                    let r0 = 2 * dy * stride, r1 = r0 + stride
                    for dx in window.x..<(window.x + window.width) {
                        for c in 0..<cn {
                            let i = 2 * dx * cn + c
                            let sum = Int(src[r0 + i]) + Int(src[r0 + i + cn]) + Int(src[r1 + i]) + Int(src[r1 + i + cn])
                            dst[o] = UInt8((sum + 2) >> 2)
                            o += 1
                        }
                    }
                }
            }
        }
        return Image(width: window.width, height: window.height, channels: cn, pixels: out)
    }

    static func crop(_ image: Image, _ window: Window) -> Image {
        if window.x == 0, window.y == 0, window.width == image.width, window.height == image.height { return image }
        let cn = image.channels
        var out: [UInt8] = []
        out.reserveCapacity(window.width * window.height * cn)
        for y in window.y..<(window.y + window.height) {
            let start = (y * image.width + window.x) * cn
            out.append(contentsOf: image.pixels[start..<(start + window.width * cn)])
        }
        return Image(width: window.width, height: window.height, channels: cn, pixels: out)
    }
}
