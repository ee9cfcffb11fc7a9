import OctetIR

/// The integer ops of a realized graph, each as its kernel launch. The arithmetic is the IR's
/// (`Requantize`, `QLinearRules`); host-side numbers (ratios, the QLinearAdd constants) are computed here
/// by the same Swift code the CPU uses, so both backends start from the same bits.
extension ProgramBuilder {
    mutating func lowerInteger(_ node: Node, at index: Int) throws(CUDAError) {
        switch node.op {
        case .quantizeLinear(let axis): try lowerQuantize(node, axis: axis)
        case .dequantizeLinear(let axis): try lowerDequantize(node, axis: axis)
        case .requantize(let a): try lowerRequantize(node, a)
        case .convInteger(let a): try lowerConvInteger(node, a)
        case .matMulInteger: try lowerMatMulInteger(node)
        case .qlinearAdd(let bounds): try lowerQLinearAdd(node, bounds)
        case .qlinearGlobalAveragePool: try lowerQLinearGlobalAveragePool(node)
        default: throw unsupported(node, "not an integer op")
        }
    }

    /// The per-axis layout of a scale: 1 channel (per tensor), or `channels` along `axis` with `inner`
    /// elements per channel step.
    func channelLayout(_ node: Node, count: Int, axis: Int, shape: [Int]) throws(CUDAError) -> (channels: Int, inner: Int) {
        guard count > 1 else { return (1, 1) }
        let a = axis < 0 ? axis + shape.count : axis
        guard a >= 0 && a < shape.count, shape[a] == count else {
            throw unsupported(node, "\(count) scales along axis \(axis) of a \(shape) tensor")
        }
        return (count, shape[(a + 1)...].reduce(1, *))
    }

    /// A zero point's values widened to int32 (absent: 0), and whether the data it belongs to is int8.
    func zeroPoints(_ node: Node, _ k: Int, count: Int) throws(CUDAError) -> [Int32] {
        guard let name = node.input(k) else { return [Int32](repeating: 0, count: count) }
        guard let t = constantTensor(name) else { throw unsupported(node, "zero point \"\(name)\" is computed at run time") }
        let v = t.int64Values().map { Int32(truncatingIfNeeded: $0) }
        if v.count == count { return v }
        if v.count == 1 { return [Int32](repeating: v[0], count: count) }
        throw unsupported(node, "zero point has \(v.count) values, expected 1 or \(count)")
    }

    func scales(_ node: Node, _ k: Int) throws(CUDAError) -> [Float] {
        guard let t = constantTensor(node.input(k)), t.dtype == .f32 else {
            throw unsupported(node, "scale is not a float32 constant (computed at run time)")
        }
        return t.floatValues()
    }

    private mutating func lowerQuantize(_ node: Node, axis: Int) throws(CUDAError) {
        let (xType, shape) = try type(of: node.inputs[0])
        guard xType == .f32 else { throw unsupported(node, "input is \(xType); float32 only") }
        let s = try scales(node, 1)
        let zpType = constantTensor(node.input(2))?.dtype ?? .u8
        guard zpType == .u8 || zpType == .i8 else { throw unsupported(node, "output type \(zpType); int8 and uint8 only") }
        let (channels, inner) = try channelLayout(node, count: s.count, axis: axis, shape: shape)
        let zp = try zeroPoints(node, 2, count: s.count)
        let (lo, hi) = Requantize.bounds(zpType)
        let x = try read(node.inputs[0])
        let scale = constant(node.name + "/scale", floats: s), zero = constant(node.name + "/zero_point", int32s: zp)
        let y = try write(node.outputs[0])
        let n = shape.reduce(1, *)
        launch("octet_quantize_f32", work: n, [.operand(x), .operand(y), .int64(Int64(n)), .operand(scale), .operand(zero),
                                               .int(channels), .int64(Int64(inner)), .int32(lo), .int32(hi)], node: node)
    }

    private mutating func lowerDequantize(_ node: Node, axis: Int) throws(CUDAError) {
        let (xType, shape) = try type(of: node.inputs[0])
        let code: Int
        switch xType {
        case .u8: code = 0
        case .i8: code = 1
        case .i32: code = 2
        default: throw unsupported(node, "input is \(xType); int8, uint8 and int32 only")
        }
        let s = try scales(node, 1)
        let (channels, inner) = try channelLayout(node, count: s.count, axis: axis, shape: shape)
        let zp = try zeroPoints(node, 2, count: s.count)
        let x = try read(node.inputs[0])
        let scale = constant(node.name + "/scale", floats: s), zero = constant(node.name + "/zero_point", int32s: zp)
        let y = try write(node.outputs[0])
        let n = shape.reduce(1, *)
        launch("octet_dequantize", work: n, [.operand(x), .operand(y), .int64(Int64(n)), .int(code), .operand(scale),
                                             .operand(zero), .int(channels), .int64(Int64(inner))], node: node)
    }

    /// Ratio, zero point and bounds of a Requantize node, as its kernel or a fused epilogue takes them.
    func requantizeParameters(_ node: Node, _ a: RequantizeAttributes, shape: [Int])
        throws(CUDAError) -> (ratio: [Float], channels: Int, inner: Int, zeroPoint: Int32, lower: Int32, upper: Int32) {
        let ratio = try scales(node, 1)
        guard let zp = constantTensor(node.input(2)), zp.count == 1, zp.dtype == .u8 || zp.dtype == .i8 else {
            throw unsupported(node, "output zero point is not an int8 or uint8 constant scalar")
        }
        let (channels, inner) = try channelLayout(node, count: ratio.count, axis: a.axis, shape: shape)
        let (lo, hi) = Requantize.bounds(zp.dtype, a.bounds)
        return (ratio, channels, inner, Int32(zp.int64Values()[0]), lo, hi)
    }

    private mutating func lowerRequantize(_ node: Node, _ a: RequantizeAttributes) throws(CUDAError) {
        let (xType, shape) = try type(of: node.inputs[0])
        guard xType == .i32 else { throw unsupported(node, "input is \(xType); int32 only") }
        let p = try requantizeParameters(node, a, shape: shape)
        let x = try read(node.inputs[0])
        let ratio = constant(node.name + "/ratio", floats: p.ratio)
        let y = try write(node.outputs[0])
        let n = shape.reduce(1, *)
        launch("octet_requantize_i32", work: n, [.operand(x), .operand(y), .int64(Int64(n)), .operand(ratio), .int(p.channels),
                                                 .int64(Int64(p.inner)), .int32(p.zeroPoint), .int32(p.lower), .int32(p.upper)],
               node: node)
    }

    /// The Requantize that alone reads `value` with its ratio along `axis` (or one ratio): fused into the
    /// producer's epilogue. Returns the node index and its parameters.
    private func fusableRequantize(after value: String, axis: Int, shape: [Int])
        throws(CUDAError) -> (index: Int, node: Node, ratio: [Float], zeroPoint: Int32, lower: Int32, upper: Int32)? {
        guard let r = soleReader(of: value), case .requantize(let a) = graph.nodes[r].op,
              graph.nodes[r].inputs.first == value else { return nil }
        let reader = graph.nodes[r]
        guard let p = try? requantizeParameters(reader, a, shape: shape) else { return nil }
        if p.channels > 1 {
            let normalized = a.axis < 0 ? a.axis + shape.count : a.axis
            guard normalized == axis else { return nil }
        }
        return (r, reader, p.ratio, p.zeroPoint, p.lower, p.upper)
    }

    /// The epilogue arguments of an integer conv or matmul kernel (ratio, per channel, zero point, bounds,
    /// mode) and the operand it writes: the Requantize that alone reads its accumulators, fused, or else the
    /// int32 accumulators themselves.
    private mutating func integerEpilogue(_ node: Node, axis: Int, shape: [Int])
        throws(CUDAError) -> (arguments: [PlannedArgument], output: Operand) {
        guard let r = try fusableRequantize(after: node.outputs[0], axis: axis, shape: shape) else {
            return ([.operand(.none), .int32(0), .int32(0), .int32(0), .int32(0), .int32(0)], try write(node.outputs[0]))
        }
        fused.insert(r.index)
        let ratio = constant(r.node.name + "/ratio", floats: r.ratio)
        return ([.operand(ratio), .flag(r.ratio.count > 1), .int32(r.zeroPoint), .int32(r.lower), .int32(r.upper), .int32(1)],
                try write(r.node.outputs[0]))
    }

    /// The operands every integer dense kernel takes: data zero point, weight (as stored), widened weight
    /// zero points and bias.
    private mutating func integerOperands(_ node: Node, outputs: Int)
        throws(CUDAError) -> (weight: Tensor, weightZero: Operand, bias: Operand, dataZero: Int32) {
        guard let w = constantTensor(node.input(1)), w.dtype == .i8 || w.dtype == .u8 else {
            throw unsupported(node, "weight is not an int8 or uint8 constant")
        }
        let dataZero = try zeroPoints(node, 3, count: 1)[0]
        let wz = constant(node.name + "/weight_zero_point", int32s: try zeroPoints(node, 4, count: outputs))
        var bias = Operand.none
        if let name = node.input(2) {
            guard let b = constantTensor(name), b.dtype == .i32, b.count == outputs else {
                throw unsupported(node, "bias is not an int32 constant of \(outputs) values")
            }
            bias = try read(name)
        }
        return (w, wz, bias, dataZero)
    }

    private mutating func lowerConvInteger(_ node: Node, _ a: ConvAttributes) throws(CUDAError) {
        let (xType, xShape) = try type(of: node.inputs[0]), (_, yShape) = try type(of: node.outputs[0])
        guard xType == .u8 || xType == .i8 else { throw unsupported(node, "input is \(xType)") }
        guard let xs = WindowParameters.planar(xShape), let ys = WindowParameters.planar(yShape) else {
            throw unsupported(node, "\(xShape.count - 2) spatial axes; the CUDA kernels take 1 or 2")
        }
        let ops = try integerOperands(node, outputs: ys[1])
        let w = ops.weight
        guard w.rank == xShape.count else { throw unsupported(node, "weight of rank \(w.rank)") }
        let window = WindowParameters(kernel: Array(w.shape[2...]), strides: a.strides, dilations: a.dilations, pads: a.pads,
                                      autoPad: a.autoPad, input: (xs[2], xs[3]), output: (ys[2], ys[3]))
        let x = try read(node.inputs[0])
        let weight = try read(node.inputs[1])
        let geometry: [PlannedArgument] = [.int(xs[0]), .int(xs[1]), .int(xs[2]), .int(xs[3]), .int(ys[1]), .int(a.group),
                                           .int(window.kernel.r), .int(window.kernel.s), .int(ys[2]), .int(ys[3])]
        let head: [PlannedArgument] = [.operand(x), .flag(xType == .i8), .int32(ops.dataZero),
                                       .operand(weight), .flag(w.dtype == .i8), .operand(ops.weightZero), .operand(ops.bias)]
        let (epilogue, y) = try integerEpilogue(node, axis: 1, shape: yShape)
        launch("octet_conv2d_int8", work: ys.reduce(1, *), head + geometry + window.arguments + epilogue + [.operand(y)], node: node)
    }

    private mutating func lowerMatMulInteger(_ node: Node) throws(CUDAError) {
        let (aType, aShape) = try type(of: node.inputs[0])
        guard aType == .u8 || aType == .i8 else { throw unsupported(node, "input is \(aType)") }
        let (_, ys) = try type(of: node.outputs[0])
        guard let b = constantTensor(node.input(1)), b.rank == 2 else { throw unsupported(node, "right operand is not a constant matrix") }
        let (depth, columns) = (b.shape[0], b.shape[1])
        guard aShape.last == depth else { throw unsupported(node, "operands \(aShape) and \(b.shape)") }
        let ops = try integerOperands(node, outputs: columns)
        let rows = depth == 0 ? 0 : aShape.reduce(1, *) / depth
        let a = try read(node.inputs[0]), weight = try read(node.inputs[1])
        let head: [PlannedArgument] = [.operand(a), .flag(aType == .i8), .int32(ops.dataZero), .operand(weight),
                                       .flag(b.dtype == .i8), .operand(ops.weightZero), .operand(ops.bias),
                                       .int(rows), .int(columns), .int(depth)]
        let (epilogue, y) = try integerEpilogue(node, axis: ys.count - 1, shape: ys)
        launch("octet_matmul_int8", work: rows * columns, head + epilogue + [.operand(y)], node: node)
    }

    /// A QLinear op's constant per-tensor scale and zero point at inputs `s` and `z`.
    private func scalarParameters(_ node: Node, _ s: Int, _ z: Int) throws(CUDAError) -> (scale: Float, zeroPoint: Int32, dtype: DType) {
        guard let scale = constantTensor(node.input(s)), scale.count == 1, scale.dtype == .f32,
              let zp = constantTensor(node.input(z)), zp.count == 1, zp.dtype == .u8 || zp.dtype == .i8 else {
            throw unsupported(node, "scales and zero points must be per-tensor constants")
        }
        return (scale.floatValues()[0], Int32(zp.int64Values()[0]), zp.dtype)
    }

    private mutating func lowerQLinearAdd(_ node: Node, _ bounds: IntegerBounds) throws(CUDAError) {
        let pa = try scalarParameters(node, 1, 2), pb = try scalarParameters(node, 4, 5), py = try scalarParameters(node, 6, 7)
        let (aType, aShape) = try type(of: node.inputs[0]), (bType, bShape) = try type(of: node.inputs[3])
        guard aShape.count <= 8, bShape.count <= 8 else { throw unsupported(node, "rank above 8") }
        guard aType == py.dtype, bType == py.dtype else {
            throw unsupported(node, "operands \(aType) and \(bType) with a \(py.dtype) output; one type for all three")
        }
        let rule = QLinearRules.Add(a: (pa.scale, pa.zeroPoint), b: (pb.scale, pb.zeroPoint), y: (py.scale, py.zeroPoint),
                                    bounds: Requantize.bounds(py.dtype, bounds), signed: py.dtype == .i8)
        guard rule.ratioA.isFinite, rule.ratioB.isFinite, rule.fixed.isFinite else {
            throw unsupported(node, "its scales give non-finite ratios (\(rule.ratioA), \(rule.ratioB), \(rule.fixed))")
        }
        let (_, yShape) = try type(of: node.outputs[0])
        let table = Self.broadcastTable(aShape, bShape, output: yShape)
        let index = constant(node.name + "/broadcast", table.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } })
        let a = try read(node.inputs[0]), b = try read(node.inputs[3])
        let y = try write(node.outputs[0])
        let n = yShape.reduce(1, *)
        launch("octet_qlinear_add", work: n, [.operand(a), .operand(b), .operand(y), .int64(Int64(n)), .flag(py.dtype == .i8),
                                              .float(rule.ratioA), .float(rule.ratioB), .float(rule.fixed),
                                              .int32(rule.lower), .int32(rule.upper), .int(yShape.count), .operand(index)],
               node: node)
    }

    private mutating func lowerQLinearGlobalAveragePool(_ node: Node) throws(CUDAError) {
        let px = try scalarParameters(node, 1, 2), py = try scalarParameters(node, 3, 4)
        let (xType, xs) = try type(of: node.inputs[0])
        guard xs.count >= 3 else { throw unsupported(node, "input \(xs)") }
        let planes = xs[0] * xs[1], size = xs[2...].reduce(1, *)
        let rule = QLinearRules.GlobalAveragePool(x: (px.scale, px.zeroPoint), y: (py.scale, py.zeroPoint), count: size,
                                                  bounds: Requantize.bounds(py.dtype))
        let x = try read(node.inputs[0])
        let y = try write(node.outputs[0])
        launch("octet_qlinear_global_avgpool", work: planes,
               [.operand(x), .operand(y), .int(planes), .int(size), .flag(xType == .i8), .float(rule.ratio),
                .int32(rule.correction), .int32(rule.zeroPoint), .int32(rule.lower), .int32(rule.upper)], node: node)
    }
}
