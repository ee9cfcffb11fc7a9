import OctetIR

/// Cast between every element type: floats truncate toward zero and saturate into integer ranges
/// (NaN gives 0), integers wrap into narrower integers as numpy's astype does, bool is `x != 0`.
enum Cast {
    static func run(to dtype: DType, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        if x.dtype == dtype { return x }
        return Tensor(shape: x.shape, storage: convert(x.storage, to: dtype))
    }

    static func convert(_ storage: Tensor.Storage, to dtype: DType) -> Tensor.Storage {
        switch storage {
        case .f32(let v): fromFloats(v.map(Double.init), to: dtype)
        case .f16(let v): fromFloats(v.map(Double.init), to: dtype)
        case .i8(let v): fromIntegers(v.map(Int64.init), to: dtype)
        case .u8(let v): fromIntegers(v.map(Int64.init), to: dtype)
        case .i32(let v): fromIntegers(v.map(Int64.init), to: dtype)
        case .i64(let v): fromIntegers(v, to: dtype)
        case .bool(let v): fromIntegers(v.map { $0 ? 1 : 0 }, to: dtype)
        }
    }

    private static func fromFloats(_ v: [Double], to dtype: DType) -> Tensor.Storage {
        switch dtype {
        case .f32: .f32(v.map { Float($0) })
        case .f16: .f16(v.map { Float16(Float($0)) })
        case .i8: .i8(v.map { Int8(clamping: saturatingInt64($0)) })
        case .u8: .u8(v.map { UInt8(clamping: saturatingInt64($0)) })
        case .i32: .i32(v.map { Int32(clamping: saturatingInt64($0)) })
        case .i64: .i64(v.map { saturatingInt64($0) })
        case .bool: .bool(v.map { $0 != 0 })
        }
    }

    private static func fromIntegers(_ v: [Int64], to dtype: DType) -> Tensor.Storage {
        switch dtype {
        case .f32: .f32(v.map { Float($0) })
        case .f16: .f16(v.map { Float16(Float($0)) })
        case .i8: .i8(v.map { Int8(truncatingIfNeeded: $0) })
        case .u8: .u8(v.map { UInt8(truncatingIfNeeded: $0) })
        case .i32: .i32(v.map { Int32(truncatingIfNeeded: $0) })
        case .i64: .i64(v)
        case .bool: .bool(v.map { $0 != 0 })
        }
    }
}
