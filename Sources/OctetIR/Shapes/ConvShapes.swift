/// Shape rules for sliding-window ops: Conv, ConvTranspose, MaxPool, AveragePool and the global pools.
extension ShapeInference {
    func convType(_ node: Node, _ a: ConvAttributes) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let w = shape(node, 1) else { return TensorType(dtype: x.dtype, shape: nil) }
        try checkWeightRank(node, x: x.shape, weight: w)
        guard a.group >= 1 else { throw badAttribute(node, "group is \(a.group), must be at least 1") }
        if let m = w[0].value, m % a.group != 0 {
            throw mismatch(node, "weight has \(m) output channels, not divisible by group \(a.group)")
        }
        if let c = x.shape?[1].value, let perGroup = w[1].value, c != perGroup * a.group {
            throw mismatch(node, "input has \(c) channels, weight expects \(perGroup * a.group) (\(perGroup) per group × group \(a.group))")
        }
        try checkBias(node, channels: w[0])
        guard let xs = x.shape else { return TensorType(dtype: x.dtype, shape: nil) }
        let kernel = try kernelShape(node, a.kernelShape, weight: w)
        let window = try WindowGeometry(node: node, spatial: xs.count - 2, kernel: kernel, strides: a.strides,
                                        pads: a.pads, dilations: a.dilations, autoPad: a.autoPad, ceilMode: false)
        return TensorType(dtype: x.dtype, shape: [xs[0], w[0]] + (try window.outputSizes(of: xs)))
    }

    func convTransposeType(_ node: Node, _ a: ConvTransposeAttributes) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let w = shape(node, 1) else { return TensorType(dtype: x.dtype, shape: nil) }
        try checkWeightRank(node, x: x.shape, weight: w)
        let group = a.conv.group
        guard group >= 1 else { throw badAttribute(node, "group is \(group), must be at least 1") }
        if let c = x.shape?[1].value, let wc = w[0].value, c != wc {
            throw mismatch(node, "input has \(c) channels, weight expects \(wc)")
        }
        let channels: Dim = w[1].value.map { .fixed($0 * group) } ?? .unknown
        try checkBias(node, channels: channels)
        guard let xs = x.shape else { return TensorType(dtype: x.dtype, shape: nil) }
        let n = xs.count - 2
        if let explicit = a.outputShape {
            // ONNX allows output_shape with or without the batch and channel dims.
            let spatial = explicit.count == n + 2 ? Array(explicit.dropFirst(2)) : explicit
            guard spatial.count == n, spatial.allSatisfy({ $0 > 0 }) else {
                throw badAttribute(node, "output_shape \(explicit) does not fit \(n) spatial dims")
            }
            return TensorType(dtype: x.dtype, shape: [xs[0], channels] + spatial.map(Dim.fixed))
        }
        let kernel = try kernelShape(node, a.conv.kernelShape, weight: w)
        let window = try WindowGeometry(node: node, spatial: n, kernel: kernel, strides: a.conv.strides,
                                        pads: a.conv.pads, dilations: a.conv.dilations, autoPad: a.conv.autoPad,
                                        ceilMode: false)
        guard a.outputPadding.isEmpty || a.outputPadding.count == n, a.outputPadding.allSatisfy({ $0 >= 0 && $0 <= WindowGeometry.limit }) else {
            throw badAttribute(node, "output_padding \(a.outputPadding) does not fit \(n) spatial dims")
        }
        var out: [Dim] = [xs[0], channels]
        for i in 0..<n {
            let extra = a.outputPadding.isEmpty ? 0 : a.outputPadding[i]
            out.append(try window.transposedSize(of: xs[2 + i], axis: i, outputPadding: extra))
        }
        return TensorType(dtype: x.dtype, shape: out)
    }

    func poolType(_ node: Node, _ a: PoolAttributes) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        guard xs.count >= 3 else { throw mismatch(node, "input has \(xs.count) dims, \(node.op.onnxName) needs at least 3") }
        guard a.kernelShape.count == xs.count - 2 else {
            throw badAttribute(node, "kernel_shape has \(a.kernelShape.count) entries, input has \(xs.count - 2) spatial dims")
        }
        let window = try WindowGeometry(node: node, spatial: xs.count - 2, kernel: a.kernelShape, strides: a.strides,
                                        pads: a.pads, dilations: a.dilations, autoPad: a.autoPad, ceilMode: a.ceilMode)
        return TensorType(dtype: x.dtype, shape: [xs[0], xs[1]] + (try window.outputSizes(of: xs)))
    }

    func maxPoolTypes(_ node: Node, _ a: PoolAttributes) throws(IRError) -> [TensorType] {
        let y = try poolType(node, a)
        return [y, TensorType(dtype: .i64, shape: y.shape)]
    }

    func globalPoolType(_ node: Node) throws(IRError) -> TensorType {
        let x = type(node, 0)
        guard let xs = x.shape else { return x }
        guard xs.count >= 3 else { throw mismatch(node, "input has \(xs.count) dims, \(node.op.onnxName) needs at least 3") }
        return TensorType(dtype: x.dtype, shape: [xs[0], xs[1]] + Array(repeating: .fixed(1), count: xs.count - 2))
    }

    // MARK: Helpers

    private func checkWeightRank(_ node: Node, x: [Dim]?, weight w: [Dim]) throws(IRError) {
        if let xs = x {
            guard xs.count >= 3 else { throw mismatch(node, "input has \(xs.count) dims, \(node.op.onnxName) needs at least 3") }
            guard w.count == xs.count else {
                throw mismatch(node, "weight has \(w.count) dims, \(node.op.onnxName) needs \(xs.count)")
            }
        } else if w.count < 3 {
            throw mismatch(node, "weight has \(w.count) dims, \(node.op.onnxName) needs at least 3")
        }
    }

    private func checkBias(_ node: Node, channels: Dim) throws(IRError) {
        guard let b = shape(node, 2) else { return }
        guard b.count == 1 else { throw mismatch(node, "bias has \(b.count) dims, must be 1") }
        if b[0].sameSize(as: channels) == false {
            throw mismatch(node, "bias has \(b[0]) elements, output has \(channels) channels")
        }
    }

    /// The spatial kernel: the attribute when given (checked against the weight), else the weight's shape.
    private func kernelShape(_ node: Node, _ attribute: [Int]?, weight w: [Dim]) throws(IRError) -> [Int]? {
        let fromWeight = Array(w.dropFirst(2))
        if let k = attribute {
            guard k.count == fromWeight.count else {
                throw badAttribute(node, "kernel_shape has \(k.count) entries, weight has \(fromWeight.count) spatial dims")
            }
            for (given, dim) in zip(k, fromWeight) where dim.sameSize(as: .fixed(given)) == false {
                throw mismatch(node, "kernel_shape \(k) does not match weight \(shapeText(w))")
            }
            return k
        }
        var k: [Int] = []
        for d in fromWeight {
            guard let v = d.value else { return nil }
            k.append(v)
        }
        return k
    }
}

/// Kernel, strides, pads and dilations of a sliding window, validated and filled with defaults.
struct WindowGeometry {
    var kernel: [Int]?
    var strides: [Int]
    var padsBegin: [Int]
    var padsEnd: [Int]
    var dilations: [Int]
    var autoPad: AutoPad
    var ceilMode: Bool
    let node: Node

    static let limit = Int(Int32.max)

    init(node: Node, spatial n: Int, kernel: [Int]?, strides: [Int], pads: [Int], dilations: [Int],
         autoPad: AutoPad, ceilMode: Bool) throws(IRError) {
        func bad(_ m: String) -> IRError { .invalidAttribute("\(node.label): \(m)") }
        guard n >= 1 else { throw IRError.shapeMismatch("\(node.label): input has no spatial dims") }
        if let kernel, kernel.count != n || kernel.contains(where: { $0 < 1 }) {
            throw bad("kernel \(kernel) does not fit \(n) spatial dims")
        }
        guard strides.isEmpty || strides.count == n else { throw bad("strides has \(strides.count) entries, input has \(n) spatial dims") }
        guard strides.allSatisfy({ $0 >= 1 }) else { throw bad("strides \(strides) must be positive") }
        guard pads.isEmpty || pads.count == 2 * n else { throw bad("pads has \(pads.count) entries, needs \(2 * n)") }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw bad("pads \(pads) must not be negative") }
        guard dilations.isEmpty || dilations.count == n else { throw bad("dilations has \(dilations.count) entries, input has \(n) spatial dims") }
        guard dilations.allSatisfy({ $0 >= 1 }) else { throw bad("dilations \(dilations) must be positive") }
        // Bounding every attribute keeps the size arithmetic below far from overflow on hostile files.
        for v in (kernel ?? []) + strides + pads + dilations where v > WindowGeometry.limit {
            throw bad("window attribute \(v) is larger than \(WindowGeometry.limit)")
        }
        self.kernel = kernel
        self.strides = strides.isEmpty ? Array(repeating: 1, count: n) : strides
        let explicitPads = autoPad == .notSet && !pads.isEmpty
        self.padsBegin = explicitPads ? Array(pads[0..<n]) : Array(repeating: 0, count: n)
        self.padsEnd = explicitPads ? Array(pads[n...]) : Array(repeating: 0, count: n)
        self.dilations = dilations.isEmpty ? Array(repeating: 1, count: n) : dilations
        self.autoPad = autoPad
        self.ceilMode = ceilMode
        self.node = node
    }

    /// The output size along every spatial axis of input shape `xs` ([N, C, spatial...]).
    func outputSizes(of xs: [Dim]) throws(IRError) -> [Dim] {
        var out: [Dim] = []
        for i in 0..<(xs.count - 2) { out.append(try outputSize(of: xs[2 + i], axis: i)) }
        return out
    }

    private func effectiveKernel(_ axis: Int) -> Int? {
        kernel.map { dilations[axis] * ($0[axis] - 1) + 1 }
    }

    func outputSize(of input: Dim, axis i: Int) throws(IRError) -> Dim {
        let s = strides[i]
        switch autoPad {
        case .sameUpper, .sameLower:
            guard let v = input.value else { return s == 1 ? input : .unknown }
            try checkSize(v, axis: i)
            return .fixed((v + s - 1) / s)
        case .notSet, .valid:
            guard let k = effectiveKernel(i) else { return .unknown }
            let padded = padsBegin[i] + padsEnd[i]
            guard let v = input.value else { return s == 1 && padded == k - 1 ? input : .unknown }
            try checkSize(v, axis: i)
            let span = v + padded - k
            guard span >= 0 else {
                throw IRError.shapeMismatch("\(node.label): spatial axis \(i) has size \(v) (padded \(v + padded)), smaller than the kernel extent \(k)")
            }
            var size = (ceilMode ? (span + s - 1) / s : span / s) + 1
            // The last window must start inside the input or its begin padding (as PyTorch and ONNX Runtime).
            if ceilMode && (size - 1) * s >= v + padsBegin[i] { size -= 1 }
            return .fixed(size)
        }
    }

    func transposedSize(of input: Dim, axis i: Int, outputPadding: Int) throws(IRError) -> Dim {
        let s = strides[i]
        guard let k = effectiveKernel(i) else { return .unknown }
        switch autoPad {
        case .sameUpper, .sameLower:
            guard let v = input.value else { return s == 1 ? input : .unknown }
            try checkSize(v, axis: i)
            return .fixed(v * s)
        case .notSet, .valid:
            let growth = outputPadding + k - padsBegin[i] - padsEnd[i]
            guard let v = input.value else { return s == 1 && growth == 1 ? input : .unknown }
            try checkSize(v, axis: i)
            let size = s * (v - 1) + growth
            guard size >= 1 else {
                throw IRError.shapeMismatch("\(node.label): spatial axis \(i) of size \(v) gives an output of size \(size)")
            }
            return .fixed(size)
        }
    }

    private func checkSize(_ v: Int, axis i: Int) throws(IRError) {
        guard v <= WindowGeometry.limit else {
            throw IRError.shapeMismatch("\(node.label): spatial axis \(i) has size \(v), larger than \(WindowGeometry.limit)")
        }
    }
}
