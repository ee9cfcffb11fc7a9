import OctetIR

// Elementwise and per-element ops whose older forms differ: Clip, Softmax, Dropout, Cast, Q/DQ.

extension ONNXNodeContext {
    /// Clip before opset 11 took `min`/`max` attributes (float only); now optional inputs.
    mutating func importClip() throws -> Op {
        if opset < 11 {
            try requireInputs(1...1)
            if let min = try float("min") { setInput(1, to: .scalar(min), suffix: "min") }
            if let max = try float("max") { setInput(2, to: .scalar(max), suffix: "max") }
        } else {
            try requireInputs(1...3)
        }
        return .clip
    }

    /// Softmax before opset 13 flattened the input to 2-D at `axis` (default 1) and normalized each row.
    /// That equals the new form when `axis` is the last axis; otherwise it is written out as
    /// Shape, Flatten(axis), Softmax(-1), Reshape back to the input's shape.
    mutating func importSoftmax() throws -> Op {
        try requireInputs(1...1)
        guard opset < 13 else { return .softmax(axis: try int("axis", default: -1)) }
        let axis = try int("axis", default: 1)
        if axis == -1 || axis == builder.declaredRank(inputs[0]).map({ $0 - 1 }) {
            return .softmax(axis: axis)
        }
        let x = inputs[0]
        let shape = builder.uniqueName("\(name)_shape")
        let flat = builder.uniqueName("\(name)_flat")
        let soft = builder.uniqueName("\(name)_softmax")
        builder.nodes.append(Node(name: builder.uniqueName("\(name)/shape"), op: .shape(start: 0, end: nil),
                                  inputs: [x], outputs: [shape]))
        builder.nodes.append(Node(name: builder.uniqueName("\(name)/flatten"), op: .flatten(axis: axis),
                                  inputs: [x], outputs: [flat]))
        builder.nodes.append(Node(name: builder.uniqueName("\(name)/softmax"), op: .softmax(axis: -1),
                                  inputs: [flat], outputs: [soft]))
        inputs = [soft, shape]
        return .reshape(allowZero: false)
    }

    /// Inference only: the ratio does not matter, and the mask output (all true) becomes
    /// ConstantOfShape(Shape(data), true) when something reads it.
    mutating func importDropout() throws -> Op {
        if opset < 12 {
            try requireInputs(1...1)
        } else {
            try requireInputs(1...3)
            if inputs.count > 2, !inputs[2].isEmpty, builder.initializers[inputs[2]] != Tensor(shape: [], bools: [false]) {
                throw error("training_mode other than a constant false is not supported")
            }
        }
        if outputs.count > 1, !outputs[1].isEmpty, builder.isConsumed(outputs[1]) {
            let shape = builder.uniqueName("\(name)_mask_shape")
            builder.nodes.append(Node(name: builder.uniqueName("\(name)/mask_shape"), op: .shape(start: 0, end: nil),
                                      inputs: [inputs[0]], outputs: [shape]))
            builder.nodes.append(Node(name: builder.uniqueName("\(name)/mask"),
                                      op: .constantOfShape(value: Tensor(shape: [1], bools: [true])),
                                      inputs: [shape], outputs: [outputs[1]]))
        }
        outputs = Array(outputs.prefix(1))
        return .dropout
    }

    func importCast() throws -> Op {
        try requireInputs(1...1)
        guard let to = try int("to") else { throw error("attribute \"to\" is missing") }
        return .cast(to: try dtype(to, for: "cast to"))
    }

    /// QuantizeLinear/DequantizeLinear (10, 13, 19, 21+): per-tensor or per-axis; blocked forms are refused.
    mutating func importQuantization() throws -> Op {
        try requireInputs(2...3)
        let blockSize = try int("block_size", default: 0)
        guard blockSize == 0 else { throw error("block_size \(blockSize) (blocked quantization) is not supported") }
        let axis = try int("axis", default: 1)
        guard proto.opType == "QuantizeLinear" else { return .dequantizeLinear(axis: axis) }
        // Without a zero point the output is uint8, unless opset 21's output_dtype says otherwise.
        let outputType = try int("output_dtype", default: 0)
        if outputType != 0 {
            let type = try dtype(outputType, for: "output_dtype")
            guard type == .i8 || type == .u8 else { throw error("output_dtype \(type) is not supported (int8 and uint8 are)") }
            if inputs.count < 3 || inputs[2].isEmpty {
                setInput(2, to: .zeros(type, shape: []), suffix: "zero_point")
            }
        }
        return .quantizeLinear(axis: axis)
    }
}
