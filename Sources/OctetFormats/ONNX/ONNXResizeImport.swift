import OctetIR

// Resize in all its forms: Upsample (opsets 7-9), Resize 10 (scales only) and Resize 11+ (roi, scales, sizes).

extension ONNXNodeContext {
    /// Upsample and Resize-10 computed source coordinates as `x / scale` and, for nearest, took the floor
    /// when growing: Resize's asymmetric transformation with floor rounding.
    private func legacyResizeAttributes() throws -> ResizeAttributes {
        let mode = try string("mode", default: "nearest")
        switch mode {
        case "nearest":
            return ResizeAttributes(mode: .nearest, coordinateTransformation: .asymmetric, nearestMode: .floor)
        case "linear", "bilinear":
            return ResizeAttributes(mode: .linear, coordinateTransformation: .asymmetric)
        default:
            throw error("mode \"\(mode)\" is not supported")
        }
    }

    /// Upsample-7 took `scales` as an attribute; Upsample-9 as its second input.
    mutating func importUpsample() throws -> Op {
        let attributes = try legacyResizeAttributes()
        if opset < 9 {
            try requireInputs(1...1)
            guard let scales = try floats("scales") else { throw error("attribute \"scales\" is missing") }
            setInput(2, to: Tensor(shape: [scales.count], floats: scales), suffix: "scales")
        } else {
            try requireInputs(2...2)
            inputs = [inputs[0], "", inputs[1]]
        }
        return .resize(attributes)
    }

    mutating func importResize() throws -> Op {
        if opset < 11 {
            try requireInputs(2...2)
            var attributes = try legacyResizeAttributes()
            // Resize-10 rounded nearest coordinates up when shrinking (as onnxruntime does): with constant
            // scales that is the ceil mode; growing and shrinking in one node has no single mode.
            if attributes.mode == .nearest, let scales = builder.initializers[inputs[1]]?.floatValues() {
                if scales.contains(where: { $0 < 1 }) {
                    guard scales.allSatisfy({ $0 <= 1 }) else {
                        throw error("nearest resize that grows some axes and shrinks others is not supported before opset 11")
                    }
                    attributes.nearestMode = .ceil
                }
            }
            inputs = [inputs[0], "", inputs[1]]
            return .resize(attributes)
        }
        try requireInputs(1...4)
        // Opset 11 required roi and scales even when unused, as empty tensors; newer opsets omit them.
        for i in 1..<min(inputs.count, 4) where builder.initializers[inputs[i]]?.count == 0 {
            inputs[i] = ""
        }
        while let last = inputs.last, last.isEmpty { inputs.removeLast() }
        let policy = try choice("keep_aspect_ratio_policy", default: ResizeAttributes.AspectRatioPolicy.stretch)
        return .resize(ResizeAttributes(
            mode: try choice("mode", default: ResizeAttributes.Mode.nearest),
            coordinateTransformation: try choice("coordinate_transformation_mode", default: .halfPixel),
            nearestMode: try choice("nearest_mode", default: .roundPreferFloor),
            cubicCoeffA: try float("cubic_coeff_a", default: -0.75),
            excludeOutside: try bool("exclude_outside", default: false),
            extrapolationValue: try float("extrapolation_value", default: 0),
            antialias: try bool("antialias", default: false),
            axes: try ints("axes"),
            keepAspectRatioPolicy: policy))
    }
}
