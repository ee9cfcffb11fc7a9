/// MXNet RecordIO framing (dmlc-core): each part is `u32 magic`, `u32 (cflag << 29) | length`, then
/// `length` bytes padded with zeros to a multiple of 4.
///
/// A payload holding the magic at a 4-byte aligned position is split there, so a reader scanning for
/// the magic can resynchronise: cflag 0 is a whole record, 1 starts a split record, 2 continues it,
/// 3 ends it. The magic at each split is dropped by the writer and re-inserted by the reader.
///
/// | payload (hex)                   | parts written                                  |
/// |---------------------------------|------------------------------------------------|
/// | `01 02 03`                      | cflag 0, len 3, `01 02 03 00`                  |
/// | `0A 23 D7 CE 05`                | cflag 1, len 0; cflag 3, len 1, `05 00 00 00`  |
/// | `05 06 07 08 0A 23 D7 CE`       | cflag 1, len 4, `05 06 07 08`; cflag 3, len 0  |
public enum RecordIO {
    /// The magic word, little-endian on disk (`0A 23 D7 CE`).
    public static let magic: UInt32 = 0xCED7_230A
    static let magicBytes: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE]
    /// The length field has 29 bits.
    static let maxPartLength = (1 << 29) - 1
    /// The largest record Octet reads or writes: a bound on what a corrupt length can make us allocate.
    public static let maxRecordBytes = 64 << 20

    enum Part: UInt32 {
        case whole = 0, first = 1, middle = 2, last = 3
    }

    static func lengthWord(_ part: Part, _ length: Int) -> UInt32 {
        part.rawValue << 29 | UInt32(length)
    }

    static func paddedLength(_ length: Int) -> Int { (length + 3) & ~3 }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
