import OctetIR

/// Reads the files `torch.save` and `torch.jit.save` write: legacy pickles, zip archives and TorchScript zips.
///
/// The file is untrusted: the pickle machine runs only a fixed set of opcodes and constructors,
/// executes nothing, and every size is checked against the file before anything is allocated.
public enum PyTorchFile {
    /// Loads every tensor in the file, flattened to dotted keys in file order (see `StateDict`).
    public static func load(path: String) throws -> StateDict {
        throw FormatError("PyTorch files are not supported yet")
    }
}
