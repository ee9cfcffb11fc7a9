import Foundation
import OctetIR

/// Binary arithmetic with numpy broadcasting, unary activations, LeakyRelu, HardSigmoid and Clip.
enum Elementwise {
    static func binary(_ op: BinaryOp, _ ctx: KernelContext) throws -> Tensor {
        let a = try ctx.input(0), b = try ctx.input(1)
        guard let shape = Broadcast.shape(a.shape, b.shape) else {
            throw ctx.error("cannot broadcast shapes \(a.shape) and \(b.shape)")
        }
        if op == .pow { return try power(a, b, shape, ctx) }
        guard a.dtype == b.dtype else { throw ctx.error("operands are \(a.dtype) and \(b.dtype); they must match") }
        switch (a.storage, b.storage) {
        case (.f32(let x), .f32(let y)):
            return Tensor(shape: shape, storage: .f32(floatBinary(op, x, a.shape, y, b.shape, shape)))
        case (.f16, .f16):
            let out = floatBinary(op, a.floatValues(), a.shape, b.floatValues(), b.shape, shape)
            return Tensor(shape: shape, storage: .f16(out.map { Float16($0) }))
        case (.i8(let x), .i8(let y)):
            return Tensor(shape: shape, storage: .i8(try integerBinary(op, x, a.shape, y, b.shape, shape, ctx)))
        case (.u8(let x), .u8(let y)):
            return Tensor(shape: shape, storage: .u8(try integerBinary(op, x, a.shape, y, b.shape, shape, ctx)))
        case (.i32(let x), .i32(let y)):
            return Tensor(shape: shape, storage: .i32(try integerBinary(op, x, a.shape, y, b.shape, shape, ctx)))
        case (.i64(let x), .i64(let y)):
            return Tensor(shape: shape, storage: .i64(try integerBinary(op, x, a.shape, y, b.shape, shape, ctx)))
        default:
            throw ctx.unsupported("\(op.rawValue) on \(a.dtype) is not implemented")
        }
    }

    private static func floatBinary(_ op: BinaryOp, _ x: [Float], _ xs: [Int], _ y: [Float], _ ys: [Int],
                                    _ shape: [Int]) -> [Float] {
        x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                switch op {
                case .add: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0 + $1 }
                case .sub: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0 - $1 }
                case .mul: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0 * $1 }
                case .div: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0 / $1 }
                case .pow: Broadcast.apply(a, xs, b, ys, outShape: shape) { Foundation.pow($0, $1) }
                }
            }
        }
    }

    /// Integer arithmetic wraps as numpy's does; division truncates toward zero and refuses a zero divisor.
    private static func integerBinary<T: FixedWidthInteger & BitwiseCopyable>(
        _ op: BinaryOp, _ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ shape: [Int], _ ctx: KernelContext
    ) throws -> [T] {
        if op == .div, y.contains(0) { throw ctx.error("integer division by zero") }
        return x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                switch op {
                case .add: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0 &+ $1 }
                case .sub: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0 &- $1 }
                case .mul: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0 &* $1 }
                case .div: Broadcast.apply(a, xs, b, ys, outShape: shape) { $0.dividedReportingOverflow(by: $1).partialValue }
                case .pow: Broadcast.apply(a, xs, b, ys, outShape: shape) { integerPower($0, Int64($1)) }
                }
            }
        }
    }

    /// Pow's result has the base's type; the exponent may be any numeric type.
    private static func power(_ a: Tensor, _ b: Tensor, _ shape: [Int], _ ctx: KernelContext) throws -> Tensor {
        guard a.dtype != .bool, b.dtype != .bool else { throw ctx.unsupported("Pow on bool") }
        func mixed<T: FixedWidthInteger & BitwiseCopyable>(_ x: [T]) -> [T] {
            let e = b.floatValues()
            return x.withUnsafeBufferPointer { p in
                e.withUnsafeBufferPointer { q in
                    Broadcast.apply(p, a.shape, q, b.shape, outShape: shape) { base, exponent in
                        let v = Foundation.pow(Double(base), Double(exponent))
                        return v.isNaN ? 0 : T(clamping: saturatingInt64(v))
                    }
                }
            }
        }
        func integral<T: FixedWidthInteger & BitwiseCopyable>(_ x: [T]) -> [T] {
            let e = b.int64Values()
            return x.withUnsafeBufferPointer { p in
                e.withUnsafeBufferPointer { q in
                    Broadcast.apply(p, a.shape, q, b.shape, outShape: shape) { integerPower($0, $1) }
                }
            }
        }
        let exponentIsFloat = b.dtype.isFloatingPoint
        switch a.storage {
        case .f32, .f16:
            let out = floatBinary(.pow, a.floatValues(), a.shape, b.floatValues(), b.shape, shape)
            return ctx.floatTensor(shape: shape, out, like: a)
        case .i8(let x): return Tensor(shape: shape, storage: .i8(exponentIsFloat ? mixed(x) : integral(x)))
        case .u8(let x): return Tensor(shape: shape, storage: .u8(exponentIsFloat ? mixed(x) : integral(x)))
        case .i32(let x): return Tensor(shape: shape, storage: .i32(exponentIsFloat ? mixed(x) : integral(x)))
        case .i64(let x): return Tensor(shape: shape, storage: .i64(exponentIsFloat ? mixed(x) : integral(x)))
        case .bool: throw ctx.unsupported("Pow on bool")
        }
    }

    static func unary(_ op: UnaryOp, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        if op == .relu {
            switch x.storage {
            case .i8(let v): return Tensor(shape: x.shape, storage: .i8(v.map { max($0, 0) }))
            case .i32(let v): return Tensor(shape: x.shape, storage: .i32(v.map { max($0, 0) }))
            case .i64(let v): return Tensor(shape: x.shape, storage: .i64(v.map { max($0, 0) }))
            case .f32, .f16, .u8, .bool: break
            }
        }
        let values = try ctx.floats(x)
        let out: [Float]
        switch op {
        case .sqrt: out = map(values) { $0.squareRoot() }
        case .relu: out = map(values) { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
        case .sigmoid: out = map(values) { 1 / (1 + Foundation.exp(-$0)) }
        case .tanh: out = map(values) { Foundation.tanh($0) }
        case .erf: out = map(values) { Foundation.erf($0) }
        case .hardSwish: out = map(values) { $0 * min(max($0 / 6 + 0.5, 0), 1) }
        case .floor: out = map(values) { $0.rounded(.down) }
        }
        return ctx.floatTensor(shape: x.shape, out, like: x)
    }

    static func leakyRelu(alpha: Float, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        return ctx.floatTensor(shape: x.shape, map(try ctx.floats(x)) { $0 < 0 ? alpha * $0 : $0 }, like: x)
    }

    static func hardSigmoid(alpha: Float, beta: Float, _ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        return ctx.floatTensor(shape: x.shape, map(try ctx.floats(x)) { min(max(alpha * $0 + beta, 0), 1) }, like: x)
    }

    /// `min(max(x, lo), hi)`: when min > max every element becomes max, as numpy's clip does.
    static func clip(_ ctx: KernelContext) throws -> Tensor {
        let x = try ctx.input(0)
        let lo = ctx.optionalInput(1), hi = ctx.optionalInput(2)
        for bound in [lo, hi].compactMap({ $0 }) {
            guard bound.dtype == x.dtype else { throw ctx.error("bound is \(bound.dtype), input is \(x.dtype)") }
            guard bound.count == 1 else { throw ctx.error("bounds must be scalars, got shape \(bound.shape)") }
        }
        func clamp<T: Comparable>(_ v: [T], _ low: T?, _ high: T?) -> [T] {
            v.map { value in
                var y = value
                if let low, y < low { y = low }
                if let high, y > high { y = high }
                return y
            }
        }
        switch x.storage {
        case .f32, .f16:
            let out = clamp(try ctx.floats(x), lo?.floatValues()[0], hi?.floatValues()[0])
            return ctx.floatTensor(shape: x.shape, out, like: x)
        case .i8(let v):
            return Tensor(shape: x.shape, storage: .i8(clamp(v, lo.map { Int8($0.int64Values()[0]) },
                                                              hi.map { Int8($0.int64Values()[0]) })))
        case .u8(let v):
            return Tensor(shape: x.shape, storage: .u8(clamp(v, lo.map { UInt8($0.int64Values()[0]) },
                                                              hi.map { UInt8($0.int64Values()[0]) })))
        case .i32(let v):
            return Tensor(shape: x.shape, storage: .i32(clamp(v, lo.map { Int32($0.int64Values()[0]) },
                                                               hi.map { Int32($0.int64Values()[0]) })))
        case .i64(let v):
            return Tensor(shape: x.shape, storage: .i64(clamp(v, lo?.int64Values()[0], hi?.int64Values()[0])))
        case .bool:
            throw ctx.unsupported("Clip on bool")
        }
    }

    @inline(__always)
    private static func map(_ values: [Float], _ f: (Float) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { out, n in
            values.withUnsafeBufferPointer { x in
                for i in 0..<x.count { out[i] = f(x[i]) }
            }
            n = values.count
        }
    }
}

/// `base ** exponent` with wrapping multiplication; negative exponents go through floating point.
@inline(__always)
func integerPower<T: FixedWidthInteger>(_ base: T, _ exponent: Int64) -> T {
    if exponent < 0 {
        let v = Foundation.pow(Double(base), Double(exponent))
        return v.isNaN ? 0 : T(clamping: saturatingInt64(v))
    }
    var result: T = 1, b = base, e = exponent
    while e > 0 {
        if e & 1 == 1 { result = result &* b }
        b = b &* b
        e >>= 1
    }
    return result
}

/// `v` truncated toward zero and clamped to Int64's range (NaN gives 0), so no float-to-int conversion traps.
@inline(__always)
func saturatingInt64(_ v: Double) -> Int64 {
    if v.isNaN { return 0 }
    if v >= 9.223372036854775807e18 { return .max }
    if v <= -9.223372036854775808e18 { return .min }
    return Int64(v)
}
