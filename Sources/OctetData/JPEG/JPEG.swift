// CONTRACT STUB (replaced by the JPEG work).

/// Baseline and progressive JPEG decoding, baseline encoding.
public enum JPEG {
    public static func decode(_ bytes: [UInt8]) throws -> Image {
        throw DataError("JPEG decoding is not implemented yet")
    }

    public static func encode(_ image: Image, quality: Int) throws -> [UInt8] {
        throw DataError("JPEG encoding is not implemented yet")
    }
}
