import OctetIR

/// Ops that only rename bytes (Reshape and its family share their input's buffer), Concat, and Constant.
extension ProgramBuilder {
    mutating func lowerLayout(_ node: Node) throws(CUDAError) {
        switch node.op {
        case .reshape, .flatten, .squeeze, .unsqueeze, .identity, .dropout:
            guard node.outputs.count == 1 || node.outputs.dropFirst().allSatisfy(\.isEmpty) else {
                throw unsupported(node, "a second output")
            }
            alias(node.outputs[0], to: try read(node.inputs[0]))
        case .constant(let t):
            alias(node.outputs[0], to: constant("node:" + node.name, t.rawBytes()))
        case .concat(let axis):
            let (dtype, ys) = try type(of: node.outputs[0])
            let a = axis < 0 ? axis + ys.count : axis
            let outer = ys[..<a].reduce(1, *), inner = ys[(a + 1)...].reduce(1, *) * dtype.byteSize
            let total = ys[a] * inner
            var sources: [(Operand, Int)] = []
            for name in node.inputs where !name.isEmpty {
                let (_, xs) = try type(of: name)
                sources.append((try read(name), xs[a] * inner))
            }
            let y = try write(node.outputs[0])
            var offset = 0
            for (x, part) in sources {
                let arguments: [PlannedArgument] = [.operand(x), .operand(y), .int64(Int64(outer)), .int64(Int64(part)),
                                                    .int64(Int64(total)), .int64(Int64(offset))]
                launch("octet_concat_part", work: outer * part, arguments, node: node)
                offset += part
            }
        default:
            throw unsupported(node, "not a layout op")
        }
    }
}
