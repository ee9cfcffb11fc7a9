import OctetIR

// CONTRACT STUB (replaced by the NPY work).

/// NumPy `.npy` files, version 1 to 3, little-endian, C order.
public enum NPY {
    public static func read(path: String) throws -> Tensor {
        throw FormatError("NPY is not implemented yet")
    }

    public static func write(_ tensor: Tensor, to path: String) throws {
        throw FormatError("NPY is not implemented yet")
    }
}
