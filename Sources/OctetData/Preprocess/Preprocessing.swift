import OctetIR

/// How an image becomes a model input: resize the shorter side, center crop, normalise, NCHW float.
///
/// The geometry is MXNet's `ImageRecordIter`: the shorter side goes to `resize` and the longer to
/// `longer * resize / shorter` rounded down (OpenCV bilinear, see `LinearResize`), then a `size` x
/// `size` crop at `((w - size) / 2, (h - size) / 2)`, rounded down. An image whose shorter side is
/// already `resize` is only cropped. Gray images are repeated to RGB; values are `(x - mean) / std`.
public struct Preprocessing: Sendable, Equatable {
    /// Normalisations of common training recipes; all RGB.
    public enum Preset: String, Sendable, CaseIterable {
        case torch, mxnet, tf, none
    }

    /// Target of the shorter side before cropping.
    public var resize: Int
    /// Side of the square center crop.
    public var size: Int
    public var mean: [Float]
    public var std: [Float]

    public init(preset: Preset = .torch, size: Int = 224, resize: Int? = nil) {
        self.size = size
        self.resize = resize ?? Int((Double(size) * 256 / 224).rounded())
        switch preset {
        case .torch: (mean, std) = ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375])
        case .mxnet: (mean, std) = ([123.68, 116.779, 103.939], [58.393, 57.12, 57.375])
        case .tf: (mean, std) = ([127.5, 127.5, 127.5], [127.5, 127.5, 127.5])
        case .none: (mean, std) = ([0, 0, 0], [1, 1, 1])
        }
    }

    /// The size of an image whose shorter side is scaled to `shorter`, as MXNet computes it.
    ///
    /// | image   | shorter | result  |
    /// |---------|---------|---------|
    /// | 500x375 | 256     | 341x256 |
    /// | 333x500 | 256     | 256x384 |
    /// | 150x150 | 256     | 256x256 |
    public static func shorterSideSize(width: Int, height: Int, shorter: Int) -> (width: Int, height: Int) {
        height > width ? (shorter, height * shorter / max(width, 1)) : (width * shorter / max(height, 1), shorter)
    }

    /// The 8-bit `size` x `size` center crop of the resized image (what `apply` normalises).
    public func resizedCrop(_ image: Image) throws(DataError) -> Image {
        guard size > 0, resize >= size else {
            throw DataError("preprocessing needs 0 < size <= resize, got size \(size), resize \(resize)")
        }
        let (w, h) = Self.shorterSideSize(width: image.width, height: image.height, shorter: resize)
        let window = LinearResize.Window(x: (w - size) / 2, y: (h - size) / 2, width: size, height: size)
        return try LinearResize.resize(image, width: w, height: h, window: window)
    }

    /// The image as a `[1, 3, size, size]` float tensor.
    public func apply(_ image: Image) throws -> Tensor {
        Tensor(shape: [1, 3, size, size], floats: try normalized(image))
    }

    /// The `3 * size * size` NCHW floats of one image, for callers that fill a batch.
    public func normalized(_ image: Image) throws(DataError) -> [Float] {
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 != 0 }) else {
            throw DataError("preprocessing needs 3 means and 3 non-zero stds, got \(mean) and \(std)")
        }
        let crop = try resizedCrop(image)
        let plane = size * size, cn = crop.channels
        // A table per channel: the same division for every pixel value, done 256 times instead of size².
        let tables = (0..<3).map { c in (0..<256).map { (Float($0) - mean[c]) / std[c] } }
        var out = [Float](repeating: 0, count: 3 * plane)
        crop.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    let from = cn == 1 ? 0 : c
                    tables[c].withUnsafeBufferPointer { table in
                        for i in 0..<plane { dst[c * plane + i] = table[Int(src[i * cn + from])] }
                    }
                }
            }
        }
        return out
    }
}
