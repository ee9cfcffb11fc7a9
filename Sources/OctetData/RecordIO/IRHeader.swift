/// The header MXNet's `recordio.pack` puts before an image: `<IfQQ` (flag, label, id, id2), then `flag`
/// float32 labels when `flag > 0` (and `label` is then 0).
public struct IRHeader: Sendable, Equatable {
    public var flag: UInt32
    public var label: Float
    public var id: UInt64
    public var id2: UInt64
    /// The `flag` labels that follow the fixed part.
    public var extraLabels: [Float]

    /// Bytes of the fixed part.
    public static let size = 24

    public init(flag: UInt32, label: Float, id: UInt64, id2: UInt64, extraLabels: [Float]) {
        self.flag = flag
        self.label = label
        self.id = id
        self.id2 = id2
        self.extraLabels = extraLabels
    }

    /// A header for one label (flag 0).
    public init(label: Float, id: UInt64, id2: UInt64 = 0) {
        self.init(flag: 0, label: label, id: id, id2: id2, extraLabels: [])
    }

    /// A header carrying several labels, as im2rec writes for `.lst` lines with more than one.
    public init(labels: [Float], id: UInt64, id2: UInt64 = 0) {
        if labels.count == 1 {
            self.init(label: labels[0], id: id, id2: id2)
        } else {
            self.init(flag: UInt32(labels.count), label: 0, id: id, id2: id2, extraLabels: labels)
        }
    }

    /// The labels as `ImageRecordIter` reads them: the extra labels when there are any, else `label`.
    public var labels: [Float] { flag > 0 ? extraLabels : [label] }

    /// Splits a record payload into its header and the bytes after it (the encoded image).
    public static func unpack(_ payload: [UInt8]) throws(DataError) -> (header: IRHeader, image: ArraySlice<UInt8>) {
        guard payload.count >= size else {
            throw DataError("payload of \(payload.count) bytes is shorter than the \(size)-byte image header")
        }
        func u32(_ at: Int) -> UInt32 {
            UInt32(payload[at]) | UInt32(payload[at + 1]) << 8 | UInt32(payload[at + 2]) << 16 | UInt32(payload[at + 3]) << 24
        }
        func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        var header = IRHeader(label: Float(bitPattern: u32(4)), id: u64(8), id2: u64(16))
        header.flag = u32(0)
        let extraBytes = Int(header.flag) * 4
        guard extraBytes <= payload.count - size else {
            throw DataError("image header says \(header.flag) extra labels (\(extraBytes) bytes), "
                + "only \(payload.count - size) bytes follow")
        }
        header.extraLabels = (0..<Int(header.flag)).map { Float(bitPattern: u32(size + 4 * $0)) }
        return (header, payload[(size + extraBytes)...])
    }

    /// The header's bytes followed by `image`, as `recordio.pack`.
    public func pack(_ image: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size + 4 * extraLabels.count + image.count)
        func put(_ v: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(v >> UInt32(shift) & 0xFF)) } }
        put(UInt32(extraLabels.count))
        put(extraLabels.isEmpty ? label.bitPattern : 0)
        put(UInt32(id & 0xFFFF_FFFF)); put(UInt32(id >> 32))
        put(UInt32(id2 & 0xFFFF_FFFF)); put(UInt32(id2 >> 32))
        for l in extraLabels { put(l.bitPattern) }
        out.append(contentsOf: image)
        return out
    }
}
