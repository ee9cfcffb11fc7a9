import OctetIR

/// QLinearAdd (com.microsoft): two quantized tensors added into a third quantization, by `QLinearRules.add`.
enum QLinearAdd {
    static func run(_ bounds: IntegerBounds, _ ctx: KernelContext) throws -> Tensor {
        let a = try ctx.input(0), b = try ctx.input(3)
        let pa = try QuantizedScalar(ctx, scale: 1, zeroPoint: 2, of: a)
        let pb = try QuantizedScalar(ctx, scale: 4, zeroPoint: 5, of: b)
        let outZero = try ctx.input(7)
        guard a.dtype == b.dtype, a.dtype == outZero.dtype else {
            throw ctx.unsupported("operands \(a.dtype) and \(b.dtype) with a \(outZero.dtype) output; QLinearAdd takes one type")
        }
        let py = try QuantizedScalar(ctx, scale: 6, zeroPoint: 7, of: outZero)
        guard let shape = Broadcast.shape(a.shape, b.shape) else {
            throw ctx.error("\(a.shape) and \(b.shape) do not broadcast")
        }
        let rule = QLinearRules.Add(a: (pa.scale, pa.zeroPoint), b: (pb.scale, pb.zeroPoint), y: (py.scale, py.zeroPoint),
                                    bounds: Requantize.bounds(outZero.dtype, bounds), signed: a.dtype == .i8)
        let av = try IntegerOperands.integers(a, "A", ctx), bv = try IntegerOperands.integers(b, "B", ctx)
        let sums = av.withUnsafeBufferPointer { pa in
            bv.withUnsafeBufferPointer { pb in
                Broadcast.apply(pa, a.shape, pb, b.shape, outShape: shape) { rule.apply($0, $1) }
            }
        }
        return outZero.dtype == .u8 ? Tensor(shape: shape, uint8s: sums.map { UInt8($0) })
            : Tensor(shape: shape, int8s: sums.map { Int8($0) })
    }
}

/// A per-tensor scale and zero point read from a node's inputs, checked.
struct QuantizedScalar {
    let scale: Float
    let zeroPoint: Int32

    init(_ ctx: KernelContext, scale s: Int, zeroPoint z: Int, of data: Tensor) throws {
        let scaleTensor = try ctx.input(s)
        let values = try ctx.floats(scaleTensor, "scale")
        guard values.count == 1, values[0].isFinite, values[0] > 0 else {
            throw ctx.error("scale (input \(s + 1)) must be one positive finite number, got \(values.prefix(4))")
        }
        scale = values[0]
        zeroPoint = try IntegerOperands.zeroPoint(ctx.optionalInput(z), of: data, count: 1, "input \(z + 1)", ctx)[0]
    }
}
