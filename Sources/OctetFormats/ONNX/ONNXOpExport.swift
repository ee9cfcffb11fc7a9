import OctetIR

// Op -> ONNX node. Attributes at their defaults are left out; forms newer than the target opset are an
// error, except ReduceMean's axes and Split's sizes, which older opsets take as attributes.

struct ONNXOpExporter {
    let opset: Int
    let initializers: [String: Tensor]

    func export(_ node: Node) throws -> NodeProto {
        var proto = NodeProto()
        proto.name = node.name
        proto.opType = node.op.onnxName
        proto.inputs = node.inputs
        proto.outputs = node.outputs
        proto.attributes = try attributes(node, &proto.inputs)
        return proto
    }

    private func error(_ node: Node, _ what: String) -> FormatError {
        FormatError("node \"\(node.name)\" (\(node.op.onnxName)): \(what)")
    }

    private func require(_ version: Int, _ node: Node, _ feature: String) throws {
        guard opset >= version else { throw error(node, "\(feature) needs opset \(version), exporting opset \(opset)") }
    }

    private func attributes(_ node: Node, _ inputs: inout [String]) throws -> [AttributeProto] {
        var a: [AttributeProto] = []
        switch node.op {
        case .conv(let c): a = convAttributes(c)
        case .convTranspose(let t):
            a = convAttributes(t.conv)
            if !t.outputPadding.isEmpty { a.append(.ints("output_padding", t.outputPadding)) }
            if let shape = t.outputShape { a.append(.ints("output_shape", shape)) }
        case .gemm(let g):
            if g.alpha != 1 { a.append(.float("alpha", g.alpha)) }
            if g.beta != 1 { a.append(.float("beta", g.beta)) }
            if g.transA { a.append(.int("transA", 1)) }
            if g.transB { a.append(.int("transB", 1)) }
        case .matMul, .binary, .globalAveragePool, .globalMaxPool, .clip, .squeeze, .unsqueeze, .slice,
             .identity, .dropout:
            break
        case .expand: try require(8, node, "Expand")
        case .range: try require(11, node, "Range")
        case .unary(let u):
            if u == .hardSwish { try require(14, node, "HardSwish") }
        case .leakyRelu(let alpha): a.append(.float("alpha", alpha))
        case .hardSigmoid(let alpha, let beta):
            a.append(.float("alpha", alpha))
            a.append(.float("beta", beta))
        case .softmax(let axis): a.append(.int("axis", axis))
        case .batchNormalization(let epsilon): a.append(.float("epsilon", epsilon))
        case .maxPool(let p): a = poolAttributes(p, average: false)
        case .averagePool(let p):
            if !p.dilations.isEmpty { try require(19, node, "AveragePool dilations") }
            a = poolAttributes(p, average: true)
        case .reduceMean(let keepDims, let noop):
            a.append(.int("keepdims", keepDims ? 1 : 0))
            if opset >= 18 {
                if noop { a.append(.int("noop_with_empty_axes", 1)) }
            } else {
                if noop { try require(18, node, "noop_with_empty_axes") }
                // Before opset 18 the axes are an attribute: they must be a constant.
                if let axesName = node.input(1) {
                    guard let axes = initializers[axesName] else { throw error(node, "axes must be an initializer below opset 18") }
                    a.append(.ints("axes", axes.int64Values().map { Int(clamping: $0) }))
                    inputs = [inputs[0]]
                }
            }
        case .concat(let axis): a.append(.int("axis", axis))
        case .split(let axis, let numOutputs):
            a.append(.int("axis", axis))
            if let numOutputs {
                guard numOutputs == node.outputs.count else {
                    throw error(node, "num_outputs \(numOutputs) but \(node.outputs.count) outputs")
                }
                if opset >= 18 { a.append(.int("num_outputs", numOutputs)) }
            }
        case .reshape(let allowZero):
            if allowZero {
                try require(14, node, "allowzero")
                a.append(.int("allowzero", 1))
            }
        case .flatten(let axis): a.append(.int("axis", axis))
        case .transpose(let perm): if let perm { a.append(.ints("perm", perm)) }
        case .pad(let mode):
            if mode == .wrap { try require(19, node, "wrap padding") }
            if node.input(3) != nil { try require(18, node, "Pad axes") }
            a.append(.string("mode", mode.rawValue))
        case .resize(let r): a = try resizeAttributes(r, node)
        case .gather(let axis): a.append(.int("axis", axis))
        case .shape(let start, let end):
            if start != 0 || end != nil { try require(15, node, "Shape start/end") }
            if start != 0 { a.append(.int("start", start)) }
            if let end { a.append(.int("end", end)) }
        case .constantOfShape(let value): a.append(.tensor("value", value))
        case .constant(let value): a.append(.tensor("value", value))
        case .cast(let to): a.append(.int("to", Int(onnxDataType(to))))
        case .quantizeLinear(let axis), .dequantizeLinear(let axis):
            if axis != 1 { a.append(.int("axis", axis)) }
        case .dynamicQuantizeLinear:
            break
        case .convInteger, .matMulInteger:
            // ONNX's ConvInteger and MatMulInteger have no bias: x, w, x_zero_point, w_zero_point.
            guard node.input(2) == nil else {
                throw error(node, "has an int32 bias, which ONNX's \(node.op.onnxName) lacks; it belongs to Octet's "
                    + "lowered graph: export the QDQ model instead")
            }
            inputs = Array(inputs.prefix(2)) + Array(inputs.dropFirst(3))
            while inputs.last == "" { inputs.removeLast() }
            if case .convInteger(let c) = node.op { a = convAttributes(c) }
        case .requantize, .qlinearAdd, .qlinearGlobalAveragePool:
            // A lowered graph is the backends' business; users exchange the QDQ form, which every runtime reads.
            throw error(node, "is an op of Octet's lowered integer graph and has no ONNX form; "
                + "export the QDQ model (the input of the realize step) instead")
        }
        return a
    }

    private func convAttributes(_ c: ConvAttributes) -> [AttributeProto] {
        var a: [AttributeProto] = []
        if c.autoPad != .notSet { a.append(.string("auto_pad", c.autoPad.rawValue)) }
        if !c.dilations.isEmpty { a.append(.ints("dilations", c.dilations)) }
        a.append(.int("group", c.group))
        if let k = c.kernelShape { a.append(.ints("kernel_shape", k)) }
        if !c.pads.isEmpty { a.append(.ints("pads", c.pads)) }
        if !c.strides.isEmpty { a.append(.ints("strides", c.strides)) }
        return a
    }

    private func poolAttributes(_ p: PoolAttributes, average: Bool) -> [AttributeProto] {
        var a: [AttributeProto] = []
        if p.autoPad != .notSet { a.append(.string("auto_pad", p.autoPad.rawValue)) }
        if p.ceilMode { a.append(.int("ceil_mode", 1)) }
        if average && p.countIncludePad { a.append(.int("count_include_pad", 1)) }
        if !p.dilations.isEmpty { a.append(.ints("dilations", p.dilations)) }
        a.append(.ints("kernel_shape", p.kernelShape))
        if !p.pads.isEmpty { a.append(.ints("pads", p.pads)) }
        if !p.strides.isEmpty { a.append(.ints("strides", p.strides)) }
        return a
    }

    private func resizeAttributes(_ r: ResizeAttributes, _ node: Node) throws -> [AttributeProto] {
        if r.coordinateTransformation == .halfPixelSymmetric { try require(19, node, "half_pixel_symmetric") }
        if r.antialias || r.axes != nil || r.keepAspectRatioPolicy != .stretch {
            try require(18, node, "antialias, axes and keep_aspect_ratio_policy")
        }
        var a: [AttributeProto] = []
        if r.antialias { a.append(.int("antialias", 1)) }
        if let axes = r.axes { a.append(.ints("axes", axes)) }
        a.append(.string("coordinate_transformation_mode", r.coordinateTransformation.rawValue))
        if r.cubicCoeffA != -0.75 { a.append(.float("cubic_coeff_a", r.cubicCoeffA)) }
        if r.excludeOutside { a.append(.int("exclude_outside", 1)) }
        if r.extrapolationValue != 0 { a.append(.float("extrapolation_value", r.extrapolationValue)) }
        if r.keepAspectRatioPolicy != .stretch { a.append(.string("keep_aspect_ratio_policy", r.keepAspectRatioPolicy.rawValue)) }
        a.append(.string("mode", r.mode.rawValue))
        a.append(.string("nearest_mode", r.nearestMode.rawValue))
        return a
    }
}
