extension Op {
    /// The op's attributes as ONNX names and printed values, defaults left out unless they matter to a reader.
    public var attributeList: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        func add(_ name: String, _ value: some CustomStringConvertible) { out.append((name, value.description)) }
        func list(_ name: String, _ values: [Int]) { if !values.isEmpty { add(name, ints(values)) } }
        func window(_ kernel: [Int]?, _ strides: [Int], _ pads: [Int], _ dilations: [Int], _ autoPad: AutoPad) {
            if let kernel { list("kernel_shape", kernel) }
            list("strides", strides)
            list("pads", pads)
            list("dilations", dilations)
            if autoPad != .notSet { add("auto_pad", autoPad.rawValue) }
        }
        func bounds(_ b: IntegerBounds) {
            if let lower = b.lower { add("lower", lower) }
            if let upper = b.upper { add("upper", upper) }
        }
        switch self {
        case .conv(let a):
            window(a.kernelShape, a.strides, a.pads, a.dilations, a.autoPad)
            add("group", a.group)
        case .convTranspose(let a):
            window(a.conv.kernelShape, a.conv.strides, a.conv.pads, a.conv.dilations, a.conv.autoPad)
            add("group", a.conv.group)
            list("output_padding", a.outputPadding)
            if let s = a.outputShape { list("output_shape", s) }
        case .gemm(let a):
            if a.alpha != 1 { add("alpha", a.alpha) }
            if a.beta != 1 { add("beta", a.beta) }
            if a.transA { add("transA", 1) }
            if a.transB { add("transB", 1) }
        case .matMul, .binary, .unary, .clip, .globalAveragePool, .globalMaxPool, .squeeze, .unsqueeze, .slice,
             .expand, .range, .identity, .dropout:
            break
        case .leakyRelu(let alpha):
            add("alpha", alpha)
        case .hardSigmoid(let alpha, let beta):
            add("alpha", alpha)
            add("beta", beta)
        case .softmax(let axis), .concat(let axis), .flatten(let axis), .gather(let axis),
             .quantizeLinear(let axis), .dequantizeLinear(let axis):
            add("axis", axis)
        case .batchNormalization(let epsilon):
            add("epsilon", epsilon)
        case .maxPool(let a), .averagePool(let a):
            window(a.kernelShape, a.strides, a.pads, a.dilations, a.autoPad)
            if a.ceilMode { add("ceil_mode", 1) }
            if case .averagePool = self, a.countIncludePad { add("count_include_pad", 1) }
        case .reduceMean(let keepDims, let noop):
            add("keepdims", keepDims ? 1 : 0)
            if noop { add("noop_with_empty_axes", 1) }
        case .split(let axis, let n):
            add("axis", axis)
            if let n { add("num_outputs", n) }
        case .reshape(let allowZero):
            if allowZero { add("allowzero", 1) }
        case .transpose(let perm):
            if let perm { add("perm", ints(perm)) }
        case .pad(let mode):
            add("mode", mode.rawValue)
        case .resize(let a):
            add("mode", a.mode.rawValue)
            add("coordinate_transformation_mode", a.coordinateTransformation.rawValue)
            if a.mode == .nearest { add("nearest_mode", a.nearestMode.rawValue) }
            if a.mode == .cubic { add("cubic_coeff_a", a.cubicCoeffA) }
            if a.excludeOutside { add("exclude_outside", 1) }
            if a.coordinateTransformation == .tfCropAndResize { add("extrapolation_value", a.extrapolationValue) }
            if a.antialias { add("antialias", 1) }
            if let axes = a.axes { add("axes", ints(axes)) }
            if a.keepAspectRatioPolicy != .stretch { add("keep_aspect_ratio_policy", a.keepAspectRatioPolicy.rawValue) }
        case .shape(let start, let end):
            if start != 0 { add("start", start) }
            if let end { add("end", end) }
        case .constantOfShape(let value):
            add("value", value.count == 1 ? "\(value.floatValues()[0]):\(value.dtype.rawValue)" : typeText(value))
        case .constant(let t):
            add("value", typeText(t))
        case .cast(let to):
            add("to", to.rawValue)
        case .convInteger(let a):
            window(a.kernelShape, a.strides, a.pads, a.dilations, a.autoPad)
            add("group", a.group)
        case .matMulInteger, .qlinearGlobalAveragePool, .dynamicQuantizeLinear:
            break
        case .requantize(let a):
            add("axis", a.axis)
            bounds(a.bounds)
        case .qlinearAdd(let b):
            bounds(b)
        }
        return out
    }
}

private func ints(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }

private func typeText(_ t: Tensor) -> String { t.dtype.rawValue + ints(t.shape) }
