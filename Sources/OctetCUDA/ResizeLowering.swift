import OctetIR

/// Resize with the geometry the CPU uses (`ResizeGeometry`): nearest as one gather over all axes, linear and
/// cubic as one resampling launch per resized axis, in the CPU's order, through buffers alive for this node.
extension ProgramBuilder {
    mutating func lowerResize(_ node: Node, _ a: ResizeAttributes) throws(CUDAError) {
        let (dtype, xs) = try type(of: node.inputs[0])
        let axes = (a.axes ?? Array(0..<xs.count)).map { $0 < 0 ? $0 + xs.count : $0 }
        func floats(_ k: Int) throws(CUDAError) -> [Float]? {
            guard let name = node.input(k) else { return nil }
            guard let t = constantTensor(name) else { throw unsupported(node, "input \(k) is computed at run time") }
            return t.count > 0 ? t.floatValues() : nil
        }
        let sizesInput = try constantIntegers(node, 3, "sizes").flatMap { $0.isEmpty ? nil : $0 }
        let roi = a.coordinateTransformation == .tfCropAndResize ? try floats(1) : nil
        let scales = try floats(2)
        let (sizes, plans): ([Int], [ResizeAxis])
        do {
            (sizes, plans) = try ResizeGeometry.plan(a, shape: xs, axes: axes, roi: roi, scales: scales, sizes: sizesInput)
        } catch {
            throw unsupported(node, error.description)
        }
        let x = try read(node.inputs[0])
        if a.mode == .nearest {
            let strides = xs.rowMajorStrides
            let lists = plans.enumerated().map { axis, plan in
                (0..<plan.output).map { o in plan.identity ? o * strides[axis] : plan.nearestIndex(o).map { $0 * strides[axis] } ?? -1 }
            }
            let v = a.extrapolationValue
            let fillBytes: [UInt8]
            switch dtype {
            case .f32: fillBytes = Tensor(shape: [], floats: [v]).rawBytes()
            case .u8: fillBytes = [v.isNaN ? 0 : UInt8(clamping: Int(max(min(v, 1e6), -1e6)))]
            case .i8: fillBytes = [UInt8(bitPattern: v.isNaN ? 0 : Int8(clamping: Int(max(min(v, 1e6), -1e6))))]
            default: throw unsupported(node, "nearest Resize on \(dtype); float32, uint8 and int8 only")
            }
            return try gather(node, from: x, to: node.outputs[0], lists: lists, elementBytes: dtype.byteSize, fill: fillBytes)
        }
        guard dtype == .f32 else { throw unsupported(node, "\(a.mode.rawValue) Resize on \(dtype); float32 only") }
        let resized = axes.filter { !plans[$0].identity }
        guard !resized.isEmpty else { return alias(node.outputs[0], to: x) }
        var shape = xs, source = x
        for (step, axis) in resized.enumerated() {
            let plan = plans[axis]
            let taps = (0..<plan.output).map { plan.taps($0) }
            let count = taps.compactMap { $0?.indices.count }.max() ?? 1
            var indices: [Int32] = [], weights: [Float] = []
            for tap in taps {
                guard let tap else {
                    indices += [Int32](repeating: -1, count: count)
                    weights += [Float](repeating: 0, count: count)
                    continue
                }
                // A shorter tap list pads with zero weights on index 0: adding 0 * x changes no bit of a finite sum.
                indices += tap.indices.map { Int32($0) } + [Int32](repeating: 0, count: count - tap.indices.count)
                weights += tap.weights.map { Float($0) } + [Float](repeating: 0, count: count - tap.weights.count)
            }
            let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
            shape[axis] = sizes[axis]
            let last = step == resized.count - 1
            let y = last ? try write(node.outputs[0]) : newBuffer(bytes: shape.reduce(1, *) * 4, first: current)
            let n = shape.reduce(1, *)
            launch("octet_resample_axis_f32", work: n,
                   [.operand(source), .operand(y), .int64(Int64(outer)), .int(plan.input), .int(plan.output),
                    .int64(Int64(inner)), .int(count), .operand(constant(node.name + "/indices\(axis)", int32s: indices)),
                    .operand(constant(node.name + "/weights\(axis)", floats: weights)), .float(a.extrapolationValue)],
                   node: node)
            source = y
        }
    }
}
