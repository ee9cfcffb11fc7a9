import OctetIR

// The ONNX messages Octet reads and writes, as plain values (field numbers from onnx/onnx.proto3).
// Only the fields Octet uses are kept; everything else is skipped on reading and never written.

/// ONNX `TensorProto.DataType` numbers.
enum ONNXDataType {
    static let float: Int32 = 1, uint8: Int32 = 2, int8: Int32 = 3, uint16: Int32 = 4, int16: Int32 = 5
    static let int32: Int32 = 6, int64: Int32 = 7, string: Int32 = 8, bool: Int32 = 9, float16: Int32 = 10
    static let double: Int32 = 11, uint32: Int32 = 12, uint64: Int32 = 13, bfloat16: Int32 = 16

    /// A readable name for error messages.
    static func name(_ code: Int32) -> String {
        switch code {
        case 0: "undefined"
        case 1: "float"
        case 2: "uint8"
        case 3: "int8"
        case 4: "uint16"
        case 5: "int16"
        case 6: "int32"
        case 7: "int64"
        case 8: "string"
        case 9: "bool"
        case 10: "float16"
        case 11: "double"
        case 12: "uint32"
        case 13: "uint64"
        case 14: "complex64"
        case 15: "complex128"
        case 16: "bfloat16"
        case 17...20: "float8"
        case 21: "uint4"
        case 22: "int4"
        case 23: "float4e2m1"
        default: "type \(code)"
        }
    }
}


/// The IR element type for an ONNX data type number. Double becomes f32 and uint32/uint64 become i64,
/// as tensor data is read (the IR has no wider float and no unsigned wide integers); nil for the rest.
func irDType(_ code: Int32) -> DType? {
    switch code {
    case ONNXDataType.float, ONNXDataType.double: .f32
    case ONNXDataType.float16: .f16
    case ONNXDataType.int8: .i8
    case ONNXDataType.uint8: .u8
    case ONNXDataType.int32: .i32
    case ONNXDataType.int64, ONNXDataType.uint32, ONNXDataType.uint64: .i64
    case ONNXDataType.bool: .bool
    default: nil
    }
}

/// The ONNX data type number of an IR element type.
func onnxDataType(_ dtype: DType) -> Int32 {
    switch dtype {
    case .f32: ONNXDataType.float
    case .f16: ONNXDataType.float16
    case .i8: ONNXDataType.int8
    case .u8: ONNXDataType.uint8
    case .i32: ONNXDataType.int32
    case .i64: ONNXDataType.int64
    case .bool: ONNXDataType.bool
    }
}

struct TensorProto {
    var name = ""
    var dims: [Int64] = []
    var dataType: Int32 = 0
    var rawData: ArraySlice<UInt8>?
    var floatData: [Float] = []
    var int32Data: [Int32] = []
    var int64Data: [Int64] = []
    var doubleData: [Double] = []
    var uint64Data: [UInt64] = []
    var stringCount = 0
    var externalData: [(key: String, value: String)] = []
    var isExternal = false
    /// Where the message starts in its file, for error messages.
    var byteOffset = 0
}

struct AttributeProto {
    enum Kind: Int32 {
        case undefined = 0, float = 1, int = 2, string = 3, tensor = 4, graph = 5, floats = 6, ints = 7,
             strings = 8, tensors = 9, graphs = 10, sparseTensor = 11, sparseTensors = 12, typeProto = 13,
             typeProtos = 14
    }

    var name = ""
    var kind: Kind = .undefined
    var f: Float = 0
    var i: Int64 = 0
    var s: [UInt8] = []
    var t: TensorProto?
    var floats: [Float] = []
    var ints: [Int64] = []
    var strings: [[UInt8]] = []
    var refAttrName = ""
}

/// One dimension of a declared shape: a number, a symbolic name, or neither (unknown).
enum DimProto {
    case value(Int64)
    case param(String)
    case unknown
}

struct ValueInfoProto {
    var name = ""
    /// Nil when the element type is missing.
    var elemType: Int32?
    /// Nil when the shape is unknown (not even the rank).
    var dims: [DimProto]?
    /// False for sequence, map, sparse and optional types; a missing type counts as an unknown tensor.
    var isTensor = true
}

struct NodeProto {
    var name = ""
    var opType = ""
    var domain = ""
    var inputs: [String] = []
    var outputs: [String] = []
    var attributes: [AttributeProto] = []
}

struct GraphProto {
    var name = ""
    var nodes: [NodeProto] = []
    var initializers: [TensorProto] = []
    var sparseInitializerCount = 0
    var inputs: [ValueInfoProto] = []
    var outputs: [ValueInfoProto] = []
    var valueInfo: [ValueInfoProto] = []
}

struct OperatorSetID {
    var domain = ""
    var version: Int64 = 0
}

struct ModelProto {
    var irVersion: Int64 = 0
    var opsets: [OperatorSetID] = []
    var producerName = ""
    var producerVersion = ""
    var graph: GraphProto?
    var functionCount = 0
}
