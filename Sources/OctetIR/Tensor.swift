/// A dense, row-major tensor: a shape and the elements as a typed Swift array.
///
/// Storage is a typed array rather than raw bytes so kernels read values without unsafe casts;
/// readers convert once, after checking every length against the file.
public struct Tensor: Sendable, Equatable {
    public enum Storage: Sendable, Equatable {
        case f32([Float])
        case f16([Float16])
        case i8([Int8])
        case u8([UInt8])
        case i32([Int32])
        case i64([Int64])
        case bool([Bool])

        public var count: Int {
            switch self {
            case .f32(let v): v.count
            case .f16(let v): v.count
            case .i8(let v): v.count
            case .u8(let v): v.count
            case .i32(let v): v.count
            case .i64(let v): v.count
            case .bool(let v): v.count
            }
        }

        public var dtype: DType {
            switch self {
            case .f32: .f32
            case .f16: .f16
            case .i8: .i8
            case .u8: .u8
            case .i32: .i32
            case .i64: .i64
            case .bool: .bool
            }
        }
    }

    public var shape: [Int]
    public var storage: Storage

    /// Creates a tensor; the element count must equal the product of `shape` (a programming error otherwise).
    public init(shape: [Int], storage: Storage) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    /// Creates a tensor after checking the element count, for data that came from a file or a user.
    public static func checked(shape: [Int], storage: Storage) throws(IRError) -> Tensor {
        guard shape.allSatisfy({ $0 >= 0 }), let n = shape.checkedElementCount, n == storage.count else {
            throw IRError.shapeMismatch("shape \(shape) does not hold \(storage.count) elements")
        }
        return Tensor(shape: shape, storage: storage)
    }

    public var dtype: DType { storage.dtype }
    public var rank: Int { shape.count }
    public var count: Int { storage.count }
    public var isScalar: Bool { shape.isEmpty }
}

extension Tensor {
    public init(shape: [Int], floats: [Float]) { self.init(shape: shape, storage: .f32(floats)) }
    public init(shape: [Int], int64s: [Int64]) { self.init(shape: shape, storage: .i64(int64s)) }
    public init(shape: [Int], int32s: [Int32]) { self.init(shape: shape, storage: .i32(int32s)) }
    public init(shape: [Int], int8s: [Int8]) { self.init(shape: shape, storage: .i8(int8s)) }
    public init(shape: [Int], uint8s: [UInt8]) { self.init(shape: shape, storage: .u8(uint8s)) }
    public init(shape: [Int], bools: [Bool]) { self.init(shape: shape, storage: .bool(bools)) }

    /// A scalar (rank 0) float tensor.
    public static func scalar(_ value: Float) -> Tensor { Tensor(shape: [], floats: [value]) }

    /// A tensor of `dtype` filled with zeros.
    public static func zeros(_ dtype: DType, shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        switch dtype {
        case .f32: return Tensor(shape: shape, storage: .f32(Array(repeating: 0, count: n)))
        case .f16: return Tensor(shape: shape, storage: .f16(Array(repeating: 0, count: n)))
        case .i8: return Tensor(shape: shape, storage: .i8(Array(repeating: 0, count: n)))
        case .u8: return Tensor(shape: shape, storage: .u8(Array(repeating: 0, count: n)))
        case .i32: return Tensor(shape: shape, storage: .i32(Array(repeating: 0, count: n)))
        case .i64: return Tensor(shape: shape, storage: .i64(Array(repeating: 0, count: n)))
        case .bool: return Tensor(shape: shape, storage: .bool(Array(repeating: false, count: n)))
        }
    }

    /// The elements as Float, converting from any element type (bool: 0 or 1).
    public func floatValues() -> [Float] {
        switch storage {
        case .f32(let v): v
        case .f16(let v): v.map { Float($0) }
        case .i8(let v): v.map { Float($0) }
        case .u8(let v): v.map { Float($0) }
        case .i32(let v): v.map { Float($0) }
        case .i64(let v): v.map { Float($0) }
        case .bool(let v): v.map { $0 ? 1 : 0 }
        }
    }

    /// The elements as Int64 (floats truncate toward zero, as ONNX Cast does for in-range values).
    public func int64Values() -> [Int64] {
        switch storage {
        case .f32(let v): v.map { $0.isFinite ? Int64(clamping: Int64(exactly: $0.rounded(.towardZero)) ?? 0) : 0 }
        case .f16(let v): v.map { $0.isFinite ? Int64(Float($0).rounded(.towardZero)) : 0 }
        case .i8(let v): v.map { Int64($0) }
        case .u8(let v): v.map { Int64($0) }
        case .i32(let v): v.map { Int64($0) }
        case .i64(let v): v
        case .bool(let v): v.map { $0 ? 1 : 0 }
        }
    }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) throws(IRError) -> Tensor {
        try Tensor.checked(shape: newShape, storage: storage)
    }
}

extension Array where Element == Int {
    /// The product of the dimensions, or nil when it overflows: a size field in a file must not trap.
    public var checkedElementCount: Int? {
        var n = 1
        for d in self {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// Row-major strides for this shape.
    public var rowMajorStrides: [Int] {
        var strides = Array(repeating: 1, count: count)
        var s = 1
        for i in stride(from: count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= self[i]
        }
        return strides
    }
}
