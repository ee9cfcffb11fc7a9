/// Baseline and progressive JPEG decoding, baseline encoding.
///
/// Decoding follows libjpeg-turbo's default path (islow IDCT, fancy upsampling, its YCbCr tables),
/// so pixels agree with PIL/djpeg within one level. Supported: Huffman-coded 8-bit baseline,
/// extended sequential and progressive frames, gray and 3-component color, any integer sampling
/// factors, restart intervals. Rejected with a `DataError`: arithmetic coding, 12-bit, lossless,
/// hierarchical, CMYK/YCCK.
public enum JPEG {
    /// Decodes a JPEG file: 1 channel for gray files, else 3 (RGB).
    public static func decode(_ bytes: [UInt8]) throws -> Image {
        try bytes.withUnsafeBufferPointer { data in try JPEGDecoder(data: data).decode() }
    }

    /// Encodes a 1- or 3-channel image as baseline JFIF at quality 1...100 (4:2:0 for color).
    public static func encode(_ image: Image, quality: Int) throws -> [UInt8] {
        try JPEGEncoder(quality: quality).encode(image)
    }
}
