/// Element types a tensor can hold. Raw values are the names the printer and error messages use.
public enum DType: String, Sendable, CaseIterable, Hashable {
    case f32, f16, i8, u8, i32, i64, bool

    /// Bytes one element occupies in a packed buffer (ONNX raw_data, NPY, PyTorch storages).
    public var byteSize: Int {
        switch self {
        case .f32, .i32: 4
        case .f16: 2
        case .i8, .u8, .bool: 1
        case .i64: 8
        }
    }

    public var isFloatingPoint: Bool { self == .f32 || self == .f16 }
    public var isInteger: Bool { self == .i8 || self == .u8 || self == .i32 || self == .i64 }
}
