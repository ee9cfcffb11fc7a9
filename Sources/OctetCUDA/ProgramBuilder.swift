import OctetIR

/// Lowers a graph whose shapes are all known (inputs bound, shapes inferred) to a `ProgramPlan`: one or a
/// few launches per node, value buffers with lifetimes, and the constants the kernels read.
struct ProgramBuilder {
    let graph: Graph
    var plan = ProgramPlan()
    /// Where each value's bytes are, once defined.
    private var operands: [String: Operand] = [:]
    private var constantIndex: [String: Int] = [:]
    /// How many nodes read each value (a fused Requantize must be its producer's only reader).
    let readers: [String: [Int]]
    let graphOutputs: Set<String>
    /// Nodes already run by an earlier node's launch (a Requantize fused into its conv's epilogue).
    var fused: Set<Int> = []
    /// The node being lowered: buffers are alive from their writer's index to their last reader's.
    private(set) var current = 0

    init(graph: Graph) {
        self.graph = graph
        readers = graph.consumers
        graphOutputs = Set(graph.outputs.map(\.name))
    }

    /// The whole plan: every node lowered in order, then graph outputs bound.
    static func build(_ graph: Graph) throws(CUDAError) -> ProgramPlan {
        var builder = ProgramBuilder(graph: graph)
        for info in graph.inputs {
            let (dtype, shape) = try builder.type(of: info.name)
            let operand = builder.newBuffer(bytes: shape.reduce(1, *) * dtype.byteSize, first: -1)
            builder.operands[info.name] = operand
            builder.plan.inputs.append(.init(name: info.name, operand: operand, shape: shape, dtype: dtype))
        }
        for (i, node) in graph.nodes.enumerated() where !builder.fused.contains(i) {
            builder.current = i
            try builder.lower(node, at: i)
        }
        for output in graph.outputs {
            let operand = try builder.read(output.name)
            if case .buffer(let b) = operand { builder.plan.buffers[b].last = graph.nodes.count }
            let (dtype, shape) = try builder.type(of: output.name)
            builder.plan.outputs.append(.init(name: output.name, operand: operand, shape: shape, dtype: dtype))
        }
        return builder.plan
    }

    /// `build`, with a form the kernels lack thrown as `IRError.unsupported`, as every backend reports it.
    static func buildForRunners(_ graph: Graph) throws -> ProgramPlan {
        do {
            return try build(graph)
        } catch {
            if case .unsupported(let reason) = error { throw IRError.unsupported(reason) }
            throw error
        }
    }

    // MARK: values

    func type(of name: String) throws(CUDAError) -> (DType, [Int]) {
        if let t = graph.initializers[name] { return (t.dtype, t.shape) }
        let info = graph.valueInfo[name] ?? graph.inputs.first { $0.name == name } ?? graph.outputs.first { $0.name == name }
        guard let info, let dtype = info.dtype, let shape = info.staticShape else {
            throw .unsupported("value \"\(name)\" has no known shape after binding the inputs")
        }
        return (dtype, shape)
    }

    func constantTensor(_ name: String?) -> Tensor? {
        guard let name, !name.isEmpty else { return nil }
        return graph.initializers[name]
    }

    /// The operand holding `name` as a kernel reads it; an initializer is uploaded as it is stored.
    mutating func read(_ name: String) throws(CUDAError) -> Operand {
        if let operand = operands[name] {
            if case .buffer(let b) = operand { plan.buffers[b].last = max(plan.buffers[b].last, current) }
            return operand
        }
        if let t = graph.initializers[name] {
            let operand = constant("initializer:" + name, t.rawBytes())
            operands[name] = operand
            return operand
        }
        throw .unsupported("value \"\(name)\" is read before any node defines it")
    }

    mutating func newBuffer(bytes: Int, first: Int) -> Operand {
        plan.buffers.append(MemoryPlan.Request(bytes: bytes, first: first, last: first))
        return .buffer(plan.buffers.count - 1)
    }

    /// A new buffer for value `name`, written by the current node.
    mutating func write(_ name: String) throws(CUDAError) -> Operand {
        let (dtype, shape) = try type(of: name)
        let operand = newBuffer(bytes: shape.reduce(1, *) * dtype.byteSize, first: current)
        operands[name] = operand
        return operand
    }

    /// `name` shares the bytes of `source` (Reshape and its family move no data).
    mutating func alias(_ name: String, to source: Operand) {
        operands[name] = source
    }

    mutating func constant(_ key: String, _ bytes: [UInt8]) -> Operand {
        if let i = constantIndex[key] { return .constant(i) }
        plan.constants.append(ConstantData(key: key, bytes: bytes))
        constantIndex[key] = plan.constants.count - 1
        return .constant(plan.constants.count - 1)
    }

    mutating func constant(_ key: String, int32s: [Int32]) -> Operand {
        constant(key, int32s.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } })
    }

    mutating func constant(_ key: String, floats: [Float]) -> Operand {
        constant(key, floats.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
    }

    mutating func launch(_ kernel: String, work: Int, _ arguments: [PlannedArgument], node: Node) {
        guard work > 0 else { return }
        plan.launches.append(PlannedLaunch(kernel: kernel, work: work, arguments: arguments, node: node.name))
    }

    /// The node that alone reads `value`, when the value is not also a graph output.
    func soleReader(of value: String) -> Int? {
        guard !graphOutputs.contains(value), let r = readers[value], r.count == 1 else { return nil }
        return r[0]
    }

    // MARK: dispatch

    mutating func lower(_ node: Node, at index: Int) throws(CUDAError) {
        switch node.op {
        case .quantizeLinear, .dequantizeLinear, .requantize, .convInteger, .matMulInteger, .qlinearAdd,
             .qlinearGlobalAveragePool:
            try lowerInteger(node, at: index)
        case .maxPool, .averagePool, .globalAveragePool, .globalMaxPool:
            try lowerPool(node)
        case .reshape, .flatten, .squeeze, .unsqueeze, .identity, .dropout, .concat, .constant:
            try lowerLayout(node)
        case .transpose, .slice, .split, .expand, .pad:
            try lowerMove(node)
        case .resize(let a):
            try lowerResize(node, a)
        default:
            try lowerFloat(node)
        }
    }

    func unsupported(_ node: Node, _ reason: String) -> CUDAError {
        .unsupported("node \"\(node.name)\" (\(node.op.onnxName)): \(reason)")
    }
}

extension Tensor {
    /// The elements as stored, little-endian: what a kernel reads from device memory.
    func rawBytes() -> [UInt8] {
        func bytes<T>(_ v: [T]) -> [UInt8] { v.withUnsafeBytes { Array($0) } }
        switch storage {
        case .f32(let v): return bytes(v)
        case .i32(let v): return bytes(v)
        case .i64(let v): return bytes(v)
        case .i8(let v): return bytes(v)
        case .u8(let v): return v
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .f16(let v): return bytes(v)
        }
    }
}
