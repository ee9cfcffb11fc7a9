import OctetIR

/// The ops that only move elements — Transpose, Slice, Split, Pad, Expand, and Resize's nearest mode — each
/// as one `octet_gather_axes` launch over a table of source offsets per output index and axis (-1: the
/// element is the fill value), the table the CPU's reference builds for the same ops.
extension ProgramBuilder {
    /// One gather: `lists[d][k]` is the source offset (in elements) that output index k on axis d adds.
    mutating func gather(_ node: Node, from x: Operand, to output: String, lists: [[Int]], elementBytes: Int,
                         fill: [UInt8] = [], part: Int = 0) throws(CUDAError) {
        let rank = lists.count
        var table = lists.map { Int64($0.count) }
        var offset = 2 * rank
        for list in lists {
            table.append(Int64(offset))
            offset += list.count
        }
        table += lists.flatMap { $0.map(Int64.init) }
        let tableOperand = constant(node.name + "/gather\(part)", table.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } })
        let fillOperand = fill.isEmpty ? Operand.none : constant(node.name + "/fill", fill)
        let y = try write(output)
        let n = lists.reduce(1) { $0 * $1.count }
        launch("octet_gather_axes", work: n, [.operand(x), .operand(y), .int64(Int64(n)), .int(elementBytes), .int(rank),
                                              .operand(tableOperand), .operand(fillOperand)], node: node)
    }

    func constantIntegers(_ node: Node, _ k: Int, _ what: String) throws(CUDAError) -> [Int]? {
        guard let name = node.input(k) else { return nil }
        guard let t = constantTensor(name) else { throw unsupported(node, "\(what) is computed at run time") }
        return t.int64Values().map { Int($0) }
    }

    mutating func lowerMove(_ node: Node) throws(CUDAError) {
        let (dtype, xs) = try type(of: node.inputs[0])
        let strides = xs.rowMajorStrides
        let x = try read(node.inputs[0])
        switch node.op {
        case .transpose(let perm):
            let p = perm ?? Array((0..<xs.count).reversed())
            let lists = p.map { axis in (0..<xs[axis]).map { $0 * strides[axis] } }
            try gather(node, from: x, to: node.outputs[0], lists: lists, elementBytes: dtype.byteSize)
        case .slice:
            let (_, ys) = try type(of: node.outputs[0])
            guard let starts = try constantIntegers(node, 1, "starts"), let ends = try constantIntegers(node, 2, "ends") else {
                throw unsupported(node, "no starts or ends")
            }
            let axes = try constantIntegers(node, 3, "axes") ?? Array(0..<starts.count)
            let steps = try constantIntegers(node, 4, "steps") ?? [Int](repeating: 1, count: starts.count)
            var begin = [Int](repeating: 0, count: xs.count), step = [Int](repeating: 1, count: xs.count)
            for (i, axis) in axes.enumerated() where steps[i] != 0 {
                let a = axis < 0 ? axis + xs.count : axis
                begin[a] = MoveGeometry.sliceBounds(start: starts[i], end: ends[i], step: steps[i], dim: xs[a]).begin
                step[a] = steps[i]
            }
            let lists = (0..<xs.count).map { a in (0..<ys[a]).map { (begin[a] + $0 * step[a]) * strides[a] } }
            try gather(node, from: x, to: node.outputs[0], lists: lists, elementBytes: dtype.byteSize)
        case .split(let axis, _):
            let a = axis < 0 ? axis + xs.count : axis
            var start = 0
            for (k, name) in node.outputs.enumerated() where !name.isEmpty {
                let (_, ys) = try type(of: name)
                let lists = (0..<xs.count).map { d in (0..<ys[d]).map { ((d == a ? start : 0) + $0) * strides[d] } }
                try gather(node, from: x, to: name, lists: lists, elementBytes: dtype.byteSize, part: k)
                start += ys[a]
            }
        case .expand:
            let (_, ys) = try type(of: node.outputs[0])
            let padded = [Int](repeating: 1, count: ys.count - xs.count) + xs
            let paddedStrides = [Int](repeating: 0, count: ys.count - xs.count) + strides
            let lists = (0..<ys.count).map { d in (0..<ys[d]).map { padded[d] == 1 ? 0 : $0 * paddedStrides[d] } }
            try gather(node, from: x, to: node.outputs[0], lists: lists, elementBytes: dtype.byteSize)
        case .pad(let mode):
            let (_, ys) = try type(of: node.outputs[0])
            guard let pads = try constantIntegers(node, 1, "pads") else { throw unsupported(node, "no pads") }
            let axes = try constantIntegers(node, 3, "axes")?.map { $0 < 0 ? $0 + xs.count : $0 } ?? Array(0..<xs.count)
            var begin = [Int](repeating: 0, count: xs.count)
            for (i, a) in axes.enumerated() { begin[a] = pads[i] }
            let lists = (0..<xs.count).map { a in
                (0..<ys[a]).map { o in MoveGeometry.padSource(o, begin: begin[a], size: xs[a], mode: mode).map { $0 * strides[a] } ?? -1 }
            }
            var fill = [UInt8](repeating: 0, count: dtype.byteSize)
            if mode == .constant, let name = node.input(2) {
                guard let v = constantTensor(name), v.count == 1 else { throw unsupported(node, "constant_value computed at run time") }
                fill = v.rawBytes()
            }
            try gather(node, from: x, to: node.outputs[0], lists: lists, elementBytes: dtype.byteSize, fill: fill)
        default:
            throw unsupported(node, "not a move")
        }
    }
}
