struct JPEGEncoder {
    var quality: Int
    func encode(_ image: Image) throws -> [UInt8] { throw DataError("JPEG encoding is not implemented yet") }
}
