import OctetIR

/// The float ops real models keep around their integer layers, so a partly quantized model stays on the GPU.
/// Floats match the CPU within the named tolerance (their sums run in another order), not bit for bit.
extension ProgramBuilder {
    mutating func lowerFloat(_ node: Node) throws(CUDAError) {
        for name in node.inputs where !name.isEmpty {
            let (t, _) = try type(of: name)
            if t != .f32 && graph.initializers[name] == nil {
                throw unsupported(node, "input \"\(name)\" is \(t); the float kernels take float32")
            }
        }
        switch node.op {
        case .unary(let op):
            let code: Int
            switch op {
            case .relu: code = 0
            case .sigmoid: code = 1
            case .tanh: code = 2
            case .sqrt: code = 3
            case .erf: code = 4
            case .hardSwish: code = 5
            case .floor: code = 6
            }
            try unary(node, code)
        case .leakyRelu(let alpha): try unary(node, 8, alpha: alpha)
        case .hardSigmoid(let alpha, let beta): try unary(node, 9, alpha: alpha, beta: beta)
        case .clip: try lowerClip(node)
        case .binary(let op): try lowerBinary(node, op)
        case .softmax(let axis): try lowerSoftmax(node, axis: axis)
        case .conv(let a): try lowerConv(node, a)
        case .convTranspose(let a): try lowerConvTranspose(node, a)
        case .gemm(let a): try lowerGemm(node, a)
        case .matMul: try lowerMatMul(node)
        case .batchNormalization(let epsilon): try lowerBatchNormalization(node, epsilon: epsilon)
        case .reduceMean(let keepDims, let noop): try lowerReduceMean(node, keepDims: keepDims, noopWithEmptyAxes: noop)
        default: throw unsupported(node, "no CUDA kernel yet")
        }
    }

    private mutating func unary(_ node: Node, _ code: Int, alpha: Float = 0, beta: Float = 0) throws(CUDAError) {
        let (_, shape) = try type(of: node.inputs[0])
        let x = try read(node.inputs[0]), y = try write(node.outputs[0])
        let n = shape.reduce(1, *)
        launch("octet_unary_f32", work: n, [.operand(x), .operand(y), .int64(Int64(n)), .int(code), .float(alpha), .float(beta)],
               node: node)
    }

    private mutating func lowerClip(_ node: Node) throws(CUDAError) {
        func bound(_ k: Int, _ otherwise: Float) throws(CUDAError) -> Float {
            guard let name = node.input(k) else { return otherwise }
            guard let t = constantTensor(name), t.count == 1 else { throw unsupported(node, "Clip bound computed at run time") }
            return t.floatValues()[0]
        }
        let lo = try bound(1, -.infinity), hi = try bound(2, .infinity)
        let (_, shape) = try type(of: node.inputs[0])
        let x = try read(node.inputs[0]), y = try write(node.outputs[0])
        let n = shape.reduce(1, *)
        launch("octet_clip_f32", work: n, [.operand(x), .operand(y), .int64(Int64(n)), .float(lo), .float(hi)], node: node)
    }

    /// Numpy broadcasting as an index table: the output's dims, then each operand's strides with 0 on the
    /// axes it is broadcast along.
    static func broadcastTable(_ a: [Int], _ b: [Int], output: [Int]) -> [Int64] {
        func strides(_ s: [Int]) -> [Int64] {
            let padded = [Int](repeating: 1, count: output.count - s.count) + s
            var out = [Int64](repeating: 0, count: output.count)
            var step: Int64 = 1
            for i in stride(from: output.count - 1, through: 0, by: -1) {
                out[i] = padded[i] == 1 && output[i] != 1 ? 0 : step
                step *= Int64(padded[i])
            }
            return out
        }
        return output.map(Int64.init) + strides(a) + strides(b)
    }

    private mutating func lowerBinary(_ node: Node, _ op: BinaryOp) throws(CUDAError) {
        let (_, aShape) = try type(of: node.inputs[0]), (_, bShape) = try type(of: node.inputs[1])
        let (_, yShape) = try type(of: node.outputs[0])
        guard yShape.count <= 8 else { throw unsupported(node, "rank \(yShape.count); at most 8") }
        let code: Int
        switch op {
        case .add: code = 0
        case .sub: code = 1
        case .mul: code = 2
        case .div: code = 3
        case .pow: code = 4
        }
        let table = Self.broadcastTable(aShape, bShape, output: yShape)
        let index = constant(node.name + "/broadcast", table.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } })
        let a = try read(node.inputs[0]), b = try read(node.inputs[1]), y = try write(node.outputs[0])
        let n = yShape.reduce(1, *)
        launch("octet_binary_f32", work: n, [.operand(a), .operand(b), .operand(y), .int64(Int64(n)), .int(code),
                                             .int(yShape.count), .operand(index)], node: node)
    }

    private mutating func lowerSoftmax(_ node: Node, axis: Int) throws(CUDAError) {
        let (_, shape) = try type(of: node.inputs[0])
        let a = shape.isEmpty ? 0 : axis < 0 ? axis + shape.count : axis
        let n = shape.isEmpty ? 1 : shape[a]
        let outer = shape.isEmpty ? 1 : shape[..<a].reduce(1, *), inner = shape.isEmpty ? 1 : shape[(a + 1)...].reduce(1, *)
        let x = try read(node.inputs[0]), y = try write(node.outputs[0])
        launch("octet_softmax_f32", work: outer * inner, [.operand(x), .operand(y), .int64(Int64(outer)), .int(n),
                                                          .int64(Int64(inner))], node: node)
    }

    /// MatMul of batches of matrices, the batch dims broadcast as the CPU broadcasts them.
    private mutating func lowerBatchedMatMul(_ node: Node, _ aShape: [Int], _ bShape: [Int]) throws(CUDAError) {
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1], n = bShape[bShape.count - 1]
        guard bShape[bShape.count - 2] == k else { throw unsupported(node, "cannot multiply \(aShape) by \(bShape)") }
        let (_, yShape) = try type(of: node.outputs[0])
        let batch = Array(yShape.dropLast(2))
        guard batch.count <= 8 else { throw unsupported(node, "more than 8 batch dims") }
        // The batch dims' strides in whole matrices, 0 along broadcast axes: the broadcast table's strides.
        let table = Self.broadcastTable(Array(aShape.dropLast(2)), Array(bShape.dropLast(2)), output: batch)
        let index = constant(node.name + "/batch", (batch.isEmpty ? [1, 0, 0] : table).flatMap { v in
            withUnsafeBytes(of: v.littleEndian) { Array($0) }
        })
        let a = try read(node.inputs[0]), b = try read(node.inputs[1]), y = try write(node.outputs[0])
        let count = yShape.reduce(1, *)
        launch("octet_batched_matmul_f32", work: count,
               [.operand(a), .operand(b), .operand(y), .int64(Int64(count)), .int(m), .int(n), .int(k),
                .int(max(batch.count, 1)), .operand(index)], node: node)
    }

    /// ReduceMean, summed in double in the CPU's order.
    private mutating func lowerReduceMean(_ node: Node, keepDims: Bool, noopWithEmptyAxes: Bool) throws(CUDAError) {
        let (_, xs) = try type(of: node.inputs[0])
        var axes = try constantIntegers(node, 1, "axes") ?? []
        if axes.isEmpty {
            if noopWithEmptyAxes { return alias(node.outputs[0], to: try read(node.inputs[0])) }
            axes = Array(0..<xs.count)
        }
        let reduced = Set(axes.map { $0 < 0 ? $0 + xs.count : $0 })
        let kept = (0..<xs.count).map { reduced.contains($0) ? 1 : xs[$0] }
        let box = (0..<xs.count).map { reduced.contains($0) ? xs[$0] : 1 }
        let table = (kept + box + xs.rowMajorStrides).map(Int64.init)
        let index = constant(node.name + "/reduce", table.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } })
        let x = try read(node.inputs[0]), y = try write(node.outputs[0])
        let n = kept.reduce(1, *)
        launch("octet_reduce_mean_f32", work: n, [.operand(x), .operand(y), .int64(Int64(n)), .int(xs.count), .operand(index),
                                                  .int64(Int64(box.reduce(1, *)))], node: node)
    }

    /// Inference BatchNormalization, folded per channel on the host exactly as the CPU folds it.
    private mutating func lowerBatchNormalization(_ node: Node, epsilon: Float) throws(CUDAError) {
        let (_, xs) = try type(of: node.inputs[0])
        guard xs.count >= 2, node.outputs.filter({ !$0.isEmpty }).count == 1 else {
            throw unsupported(node, "training mode or an input of rank < 2")
        }
        let channels = xs[1]
        var params: [[Float]] = []
        for k in 1...4 {
            guard let t = constantTensor(node.input(k)), t.count == channels else {
                throw unsupported(node, "its scale, B, mean and var must be constants of \(channels) values")
            }
            params.append(t.floatValues())
        }
        let a = (0..<channels).map { params[0][$0] / (params[3][$0] + epsilon).squareRoot() }
        let b = (0..<channels).map { params[1][$0] - params[2][$0] * a[$0] }
        let x = try read(node.inputs[0]), y = try write(node.outputs[0])
        let n = xs.reduce(1, *), inner = xs[2...].reduce(1, *)
        launch("octet_channel_affine_f32", work: n,
               [.operand(x), .operand(y), .int64(Int64(n)), .operand(constant(node.name + "/a", floats: a)),
                .operand(constant(node.name + "/b", floats: b)), .int(channels), .int64(Int64(inner))], node: node)
    }

    private mutating func lowerConv(_ node: Node, _ a: ConvAttributes) throws(CUDAError) {
        let (_, xShape) = try type(of: node.inputs[0]), (_, wShape) = try type(of: node.inputs[1])
        let (_, yShape) = try type(of: node.outputs[0])
        guard let xs = WindowParameters.planar(xShape), WindowParameters.planar(wShape) != nil,
              let ys = WindowParameters.planar(yShape) else {
            throw unsupported(node, "\(xShape.count - 2) spatial axes; the CUDA kernels take 1 or 2")
        }
        let window = WindowParameters(kernel: Array(wShape[2...]), strides: a.strides, dilations: a.dilations, pads: a.pads,
                                      autoPad: a.autoPad, input: (xs[2], xs[3]), output: (ys[2], ys[3]))
        let x = try read(node.inputs[0]), w = try read(node.inputs[1])
        let bias = try node.input(2).map { (name: String) throws(CUDAError) -> Operand in try read(name) } ?? .none
        let y = try write(node.outputs[0])
        launch("octet_conv2d_f32", work: ys.reduce(1, *),
               [.operand(x), .operand(w), .operand(bias), .operand(y), .int(xs[0]), .int(xs[1]), .int(xs[2]), .int(xs[3]),
                .int(ys[1]), .int(a.group), .int(window.kernel.r), .int(window.kernel.s), .int(ys[2]), .int(ys[3])]
                + window.arguments, node: node)
    }

    /// Transposed convolution, 1-D or 2-D; the begin pads as the CPU derives them (from output_shape or
    /// SAME auto_pad: the total split with floor division, else the explicit pads).
    private mutating func lowerConvTranspose(_ node: Node, _ a: ConvTransposeAttributes) throws(CUDAError) {
        let (_, xShape) = try type(of: node.inputs[0]), (_, wShape) = try type(of: node.inputs[1])
        let (_, yShape) = try type(of: node.outputs[0])
        guard let xs = WindowParameters.planar(xShape), let ws = WindowParameters.planar(wShape),
              let ys = WindowParameters.planar(yShape) else {
            throw unsupported(node, "\(xShape.count - 2) spatial axes; the CUDA kernels take 1 or 2")
        }
        let n = xShape.count - 2, conv = a.conv
        func perAxis(_ v: [Int]) -> [Int] { v.isEmpty ? [Int](repeating: 1, count: n) : v }
        let s = perAxis(conv.strides), d = perAxis(conv.dilations)
        let outputPadding = a.outputPadding.isEmpty ? [Int](repeating: 0, count: n) : a.outputPadding
        let kernel = Array(wShape[2...]), input = Array(xShape[2...])
        var requested: [Int]? = a.outputShape.map { Array($0.suffix(n)) }
        if requested == nil && (conv.autoPad == .sameUpper || conv.autoPad == .sameLower) {
            requested = (0..<n).map { input[$0] * s[$0] }
        }
        let begin = (0..<n).map { i -> Int in
            let full = s[i] * (input[i] - 1) + outputPadding[i] + (kernel[i] - 1) * d[i] + 1
            if let requested, conv.pads.isEmpty || conv.autoPad != .notSet {
                let total = full - requested[i]
                let half = total >= 0 ? total / 2 : -((-total + 1) / 2)
                return conv.autoPad == .sameUpper ? half : total - half
            }
            return conv.pads.isEmpty ? 0 : conv.pads[i]
        }
        let planar: (stride: [Int], dilation: [Int], begin: [Int]) = n == 1 ? ([1, s[0]], [1, d[0]], [0, begin[0]]) : (s, d, begin)
        let x = try read(node.inputs[0]), w = try read(node.inputs[1])
        let bias = try node.input(2).map { (name: String) throws(CUDAError) -> Operand in try read(name) } ?? .none
        let y = try write(node.outputs[0])
        let arguments: [PlannedArgument] = [.operand(x), .operand(w), .operand(bias), .operand(y), .int(xs[0]), .int(xs[1]),
                                            .int(xs[2]), .int(xs[3]), .int(ys[1]), .int(conv.group), .int(ws[2]), .int(ws[3]),
                                            .int(ys[2]), .int(ys[3]), .int(planar.stride[0]), .int(planar.stride[1]),
                                            .int(planar.begin[0]), .int(planar.begin[1]), .int(planar.dilation[0]),
                                            .int(planar.dilation[1])]
        launch("octet_conv_transpose2d_f32", work: ys.reduce(1, *), arguments, node: node)
    }

    private mutating func gemm(_ node: Node, a: Operand, b: Operand, c: Operand, y: Operand, m: Int, n: Int, k: Int,
                               transA: Bool, transB: Bool, alpha: Float, beta: Float, cMode: Int) {
        launch("octet_gemm_f32", work: m * n, [.operand(a), .operand(b), .operand(c), .operand(y), .int(m), .int(n), .int(k),
                                               .flag(transA), .flag(transB), .float(alpha), .float(beta), .int(cMode)],
               node: node)
    }

    private mutating func lowerGemm(_ node: Node, _ attributes: GemmAttributes) throws(CUDAError) {
        let (_, aShape) = try type(of: node.inputs[0]), (_, bShape) = try type(of: node.inputs[1])
        guard aShape.count == 2, bShape.count == 2 else { throw unsupported(node, "operands \(aShape) and \(bShape)") }
        let m = attributes.transA ? aShape[1] : aShape[0], k = attributes.transA ? aShape[0] : aShape[1]
        let n = attributes.transB ? bShape[0] : bShape[1]
        var cMode = 0
        var c = Operand.none
        if let name = node.input(2) {
            let (_, cShape) = try type(of: name)
            let count = cShape.reduce(1, *)
            if count == 1 { cMode = 1 }
            else if cShape.last == n && count == n { cMode = 2 }
            else if count == m && (cShape == [m, 1]) { cMode = 3 }
            else if cShape == [m, n] { cMode = 4 }
            else { throw unsupported(node, "C of shape \(cShape) for a [\(m), \(n)] result") }
            c = try read(name)
        }
        let a = try read(node.inputs[0]), b = try read(node.inputs[1]), y = try write(node.outputs[0])
        gemm(node, a: a, b: b, c: c, y: y, m: m, n: n, k: k, transA: attributes.transA, transB: attributes.transB,
             alpha: attributes.alpha, beta: attributes.beta, cMode: cMode)
    }

    private mutating func lowerMatMul(_ node: Node) throws(CUDAError) {
        let (_, aShape) = try type(of: node.inputs[0]), (_, bShape) = try type(of: node.inputs[1])
        if aShape.count >= 2, bShape.count >= 3 { return try lowerBatchedMatMul(node, aShape, bShape) }
        guard aShape.count >= 2, bShape.count == 2, aShape.last == bShape[0] else {
            throw unsupported(node, "operands \(aShape) and \(bShape); [.., M, K] × [K, N] or batched matrices only")
        }
        let k = bShape[0], n = bShape[1], m = aShape.reduce(1, *) / max(1, k)
        let a = try read(node.inputs[0]), b = try read(node.inputs[1]), y = try write(node.outputs[0])
        gemm(node, a: a, b: b, c: .none, y: y, m: m, n: n, k: k, transA: false, transB: false, alpha: 1, beta: 0, cMode: 0)
    }
}
