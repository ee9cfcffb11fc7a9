import OctetIR

/// Reads the files `torch.save` and `torch.jit.save` write: legacy pickles, zip archives and TorchScript zips.
///
/// The file is untrusted: the pickle machine runs only a fixed set of opcodes and constructors,
/// executes nothing, and every size is checked against the file before anything is allocated.
public enum PyTorchFile {
    /// Loads every tensor in the file, flattened to dotted keys in file order (see `StateDict`).
    public static func load(path: String) throws -> StateDict {
        try decode(try readFileBytes(path))
    }

    /// Reads the tensors from the bytes of a PyTorch file.
    public static func decode(_ bytes: [UInt8]) throws -> StateDict {
        if bytes.starts(with: [0x50, 0x4b]) || (!LegacyFormat.looksLikeLegacy(bytes) && ZipArchive.looksLikeZip(bytes)) {
            return try ZipFormat.read(try ZipArchive(bytes: bytes))
        }
        if LegacyFormat.looksLikeLegacy(bytes) { return try LegacyFormat.read(bytes) }
        if bytes.count > 262, Array(bytes[257..<262]) == Array("ustar".utf8) {
            throw FormatError("a tar archive: the pre-0.4 torch.save layout is not supported")
        }
        throw FormatError("not a PyTorch file (neither a zip archive nor a legacy pickle at byte 0)")
    }
}
