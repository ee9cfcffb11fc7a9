import OctetIR

#if !_endian(little)
#error("PyTorch storages are read as little-endian; a big-endian host would need byte swapping")
#endif

/// The element types of torch storages, with the IR type each one is read as.
enum TorchElementType: String, CaseIterable {
    case float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool

    var elementSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// The IR has no bfloat16, float64 or int16: those widen or narrow exactly as the note says.
    var conversionNote: String? {
        switch self {
        case .bfloat16: "bfloat16 widened to f32 (exact)"
        case .float64: "float64 rounded to f32"
        case .int16: "int16 widened to i32 (exact)"
        default: nil
        }
    }

    /// The legacy storage class torch pickles (`torch.FloatStorage`), by its name without `torch.`.
    init?(storageClass: String) {
        switch storageClass {
        case "FloatStorage": self = .float32
        case "HalfStorage": self = .float16
        case "BFloat16Storage": self = .bfloat16
        case "DoubleStorage": self = .float64
        case "LongStorage": self = .int64
        case "IntStorage": self = .int32
        case "ShortStorage": self = .int16
        case "CharStorage": self = .int8
        case "ByteStorage": self = .uint8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }

    /// A `torch.<dtype>` global (`torch.float32`, or its alias `torch.float`).
    init?(dtypeName: String) {
        switch dtypeName {
        case "float32", "float": self = .float32
        case "float16", "half": self = .float16
        case "bfloat16": self = .bfloat16
        case "float64", "double": self = .float64
        case "int64", "long": self = .int64
        case "int32", "int": self = .int32
        case "int16", "short": self = .int16
        case "int8": self = .int8
        case "uint8": self = .uint8
        case "bool": self = .bool
        default: return nil
        }
    }
}

/// One storage of the file: its key, element type and declared length; the bytes arrive when the
/// format reader finds them (after the pickle in legacy files, in `data/<key>` in zips).
final class TorchStorage {
    let key: String
    let type: TorchElementType
    let count: Int
    var bytes: ArraySlice<UInt8>?

    init(key: String, type: TorchElementType, count: Int) {
        self.key = key
        self.type = type
        self.count = count
    }

    /// Attaches the data, which must hold at least the declared elements.
    func attach(_ data: ArraySlice<UInt8>, source: String) throws {
        let (needed, overflow) = count.multipliedReportingOverflow(by: type.elementSize)
        guard !overflow, data.count >= needed else {
            throw FormatError("storage '\(key)' declares \(count) \(type.rawValue) elements, but \(source) holds \(data.count) bytes")
        }
        bytes = data.prefix(needed)
    }
}

/// A storage as a tensor sees it: a whole storage, or a legacy view of part of one (in elements).
struct StorageSlice {
    var storage: TorchStorage
    var offset: Int
    var count: Int
}

/// What `_rebuild_tensor_v2` describes: a strided window onto a storage, read when the walk reaches it.
final class TensorRecord {
    let storage: StorageSlice
    /// The element type: the storage's, except for `_rebuild_tensor_v3` over an untyped storage.
    let type: TorchElementType
    let offset: Int
    let size: [Int]
    let stride: [Int]

    init(storage: StorageSlice, type: TorchElementType, offset: Int, size: [Int], stride: [Int]) {
        self.storage = storage
        self.type = type
        self.offset = offset
        self.size = size
        self.stride = stride
    }
}
