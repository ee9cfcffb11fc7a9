import OctetIR

// Layout and indexing ops whose parameters moved from attributes to inputs over the opsets.

extension ONNXNodeContext {
    /// A 1-D int64 tensor, the form every attribute-turned-input list takes.
    private func int64s(_ values: [Int]) -> Tensor { Tensor(shape: [values.count], int64s: values.map { Int64($0) }) }

    /// ReduceMean before opset 18 took `axes` as an attribute.
    mutating func importReduceMean() throws -> Op {
        if opset < 18 {
            try requireInputs(1...1)
            if let axes = try ints("axes") { setInput(1, to: int64s(axes), suffix: "axes") }
        } else {
            try requireInputs(1...2)
        }
        return .reduceMean(keepDims: try bool("keepdims", default: true),
                           noopWithEmptyAxes: try bool("noop_with_empty_axes", default: false))
    }

    func importConcat() throws -> Op {
        guard !inputs.isEmpty, inputs.allSatisfy({ !$0.isEmpty }) else { throw error("needs at least one input, none empty") }
        guard let axis = try int("axis") else { throw error("attribute \"axis\" is missing") }
        return .concat(axis: axis)
    }

    /// Split took `split` as an attribute before opset 13; with no sizes, outputs are equal parts
    /// (opset 18 says how many with `num_outputs`, older opsets by the number of outputs).
    mutating func importSplit() throws -> Op {
        if opset < 13 {
            try requireInputs(1...1)
            if let split = try ints("split") { setInput(1, to: int64s(split), suffix: "split") }
        } else {
            try requireInputs(1...2)
        }
        guard !outputs.isEmpty else { throw error("has no outputs") }
        let axis = try int("axis", default: 0)
        if inputs.count > 1, !inputs[1].isEmpty { return .split(axis: axis, numOutputs: nil) }
        let count = opset >= 18 ? try int("num_outputs", default: outputs.count) : outputs.count
        guard count == outputs.count else { throw error("num_outputs \(count) but the node has \(outputs.count) outputs") }
        return .split(axis: axis, numOutputs: count)
    }

    /// Squeeze and Unsqueeze took `axes` as an attribute before opset 13.
    mutating func importSqueeze() throws -> Op {
        let squeeze = proto.opType == "Squeeze"
        if opset < 13 {
            try requireInputs(1...1)
            if let axes = try ints("axes") {
                setInput(1, to: int64s(axes), suffix: "axes")
            } else if !squeeze {
                throw error("attribute \"axes\" is missing")
            }
        } else {
            try requireInputs(squeeze ? 1...2 : 2...2)
        }
        return squeeze ? .squeeze : .unsqueeze
    }

    /// Pad before opset 11 took `pads` and `value` as attributes; the value becomes a float scalar
    /// (old Pad accepted float types only) and is left out when zero, the default.
    mutating func importPad() throws -> Op {
        let mode = try choice("mode", default: PadMode.constant)
        if opset < 11 {
            try requireInputs(1...1)
            guard let pads = try ints("pads") ?? ints("paddings") else { throw error("attribute \"pads\" is missing") }
            setInput(1, to: int64s(pads), suffix: "pads")
            let value = try float("value", default: 0)
            if value != 0 { setInput(2, to: .scalar(value), suffix: "value") }
        } else {
            try requireInputs(2...4)
        }
        return .pad(mode: mode)
    }

    /// Slice before opset 10 took `starts`, `ends` and `axes` as attributes (steps were always 1).
    mutating func importSlice() throws -> Op {
        if opset < 10 {
            try requireInputs(1...1)
            guard let starts = try ints("starts"), let ends = try ints("ends") else {
                throw error("attributes \"starts\" and \"ends\" are required")
            }
            setInput(1, to: int64s(starts), suffix: "starts")
            setInput(2, to: int64s(ends), suffix: "ends")
            if let axes = try ints("axes") { setInput(3, to: int64s(axes), suffix: "axes") }
        } else {
            try requireInputs(3...5)
        }
        return .slice
    }
}
