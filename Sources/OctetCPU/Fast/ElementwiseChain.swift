import OctetIR

/// A run of float elementwise nodes over one tensor, computed in one pass over memory.
///
/// Exporters spell activations and affine layers as several nodes: PP-LCNet's `x * s + b`, hard-swish as
/// `x * clip(x + 3, 0, 6) / 6`, then another `* s + b`: eight nodes after each Conv of PP-OCRv4, each a
/// whole read and write of the activation. Here the nodes become a small program over one input `x` and
/// one-value constants; each thread runs it on blocks of the input that stay in L1, every instruction a
/// vector loop over the block. Each value is computed with the same operations in the same order as the
/// nodes one by one, so the bits are the reference's.
struct ElementwiseChain: Sendable {
    enum Operand: Sendable, Equatable {
        /// A register: 0 is the chain's input, the others the outputs of its instructions.
        case register(Int)
        case constant(Float)
    }

    enum Instruction: Sendable, Equatable {
        case binary(BinaryOp, Operand, Operand)
        case clamp(Operand, FusedActivation)
    }

    /// Instruction k writes register k + 1; the last one's register is the output.
    let instructions: [Instruction]
    /// The value register 0 holds.
    let input: String
    /// The highest rank of the constants: a constant of higher rank than the input would broadcast it.
    let constantRank: Int

    /// Values per block: 4 KB a register, so the seven of an eight-node chain stay in L1 together (smaller
    /// blocks spend more on calling each instruction than on its loop).
    static let block = 1024

    /// The chain of at least two nodes starting at node `start`, and the nodes it covers, or nil.
    ///
    /// Nodes join in graph order (Constant nodes between them are passed over) while each is a float Add,
    /// Sub, Mul or Div, a Clip with constant bounds or a Relu, reading only the chain's input, values the
    /// chain computed, and float constants of one value. Then the chain is cut back until every value
    /// inside it is read only inside it and is no graph output.
    static func plan(_ start: Int, in graph: Graph, constants: [String: Tensor], readers: [String: [Int]],
                     graphOutputs: Set<String>, isFree: (Int) -> Bool) -> (chain: ElementwiseChain, nodes: [Int])? {
        var input: String?
        var registers: [String: Int] = [:]
        var instructions: [Instruction] = []
        var nodes: [Int] = []
        var constantRank = 0
        func constant(_ name: String) -> Float? {
            guard let t = constants[name], t.dtype == .f32, t.count == 1 else { return nil }
            constantRank = max(constantRank, t.rank)
            return t.floatValues()[0]
        }
        func operand(_ name: String) -> Operand? {
            if let r = registers[name] { return .register(r) }
            if let v = constant(name) { return .constant(v) }
            guard nodes.isEmpty, input == nil || input == name else { return nil }
            input = name
            registers[name] = 0
            return .register(0)
        }
        var k = start
        scan: while k < graph.nodes.count, isFree(k) {
            let node = graph.nodes[k]
            if case .constant = node.op, k > start {
                k += 1
                continue
            }
            guard node.outputs.count == 1, let output = node.outputs.first, !output.isEmpty else { break }
            let instruction: Instruction
            switch node.op {
            case .binary(let op) where op != .pow && node.inputs.count == 2:
                guard let a = node.input(0).flatMap(operand), let b = node.input(1).flatMap(operand) else { break scan }
                if case .constant = a, case .constant = b { break scan }
                instruction = .binary(op, a, b)
            case .clip:
                guard let x = node.input(0).flatMap(operand), case .register = x,
                      let bounds = clipBounds(node, constant) else { break scan }
                instruction = .clamp(x, bounds)
            case .unary(.relu):
                guard let x = node.input(0).flatMap(operand), case .register = x else { break scan }
                instruction = .clamp(x, .relu)
            default:
                break scan
            }
            instructions.append(instruction)
            nodes.append(k)
            registers[output] = instructions.count
            k += 1
        }
        // The longest prefix whose inner values nothing outside it reads.
        var length = nodes.count
        while length >= 2 {
            let inside = Set(nodes[..<length])
            let sealed = nodes[..<(length - 1)].allSatisfy { j in
                let value = graph.nodes[j].outputs[0]
                return !graphOutputs.contains(value) && (readers[value] ?? []).allSatisfy(inside.contains)
            }
            if sealed { break }
            length -= 1
        }
        guard length >= 2, let input else { return nil }
        return (ElementwiseChain(instructions: Array(instructions[..<length]), input: input,
                                 constantRank: constantRank),
                Array(nodes[..<length]))
    }

    private static func clipBounds(_ node: Node, _ constant: (String) -> Float?) -> FusedActivation? {
        func bound(_ i: Int, _ absent: Float) -> Float? {
            guard let name = node.input(i) else { return absent }
            return constant(name)
        }
        guard let lo = bound(1, -.infinity), let hi = bound(2, .infinity) else { return nil }
        return FusedActivation(lower: lo, upper: hi)
    }

    /// The chain's output for input `x`; nil when x is not float or a constant's rank would broadcast it.
    func run(_ x: Tensor, threads: Int) -> Tensor? {
        guard case .f32(let values) = x.storage, !values.isEmpty, x.rank >= constantRank else { return nil }
        let count = values.count, block = Self.block
        let blocks = (count + block - 1) / block
        let parts = count < FastBinary.parallelThreshold ? 1 : max(1, min(threads, blocks))
        // Each instruction's constants, two slots apiece, so a constant operand is a pointer like a register.
        let slots: [Float] = instructions.flatMap { instruction -> [Float] in
            func value(_ o: Operand) -> Float { if case .constant(let v) = o { v } else { 0 } }
            switch instruction {
            case .binary(_, let a, let b): return [value(a), value(b)]
            case .clamp(let a, _): return [value(a), 0]
            }
        }
        let output = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { input in
                slots.withUnsafeBufferPointer { slots in
                    let (input, out, slots) = (input.baseAddress!, out.baseAddress!, slots.baseAddress!)
                    parallelFor(parts, threads: parts) { t in
                        // Registers 1 ..< last live in scratch; 0 is read in place, the last written in place.
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, instructions.count - 1) * block)
                        defer { scratch.deallocate() }
                        for b in (blocks * t / parts)..<(blocks * (t + 1) / parts) {
                            let start = b * block, n = min(block, count - start)
                            func register(_ r: Int) -> UnsafeMutablePointer<Float> {
                                r == 0 ? UnsafeMutablePointer(mutating: input + start)
                                    : r == instructions.count ? out + start : scratch + (r - 1) * block
                            }
                            func operand(_ o: Operand, _ k: Int, _ slot: Int) -> (UnsafePointer<Float>, Bool) {
                                if case .register(let r) = o { (UnsafePointer(register(r)), false) } else { (slots + 2 * k + slot, true) }
                            }
                            for (k, instruction) in instructions.enumerated() {
                                switch instruction {
                                case .binary(let op, let a, let b):
                                    let (x, xOne) = operand(a, k, 0), (y, yOne) = operand(b, k, 1)
                                    FastBinary.apply(op, x, xOne, y, yOne, register(k + 1), count: n, nil)
                                case .clamp(let a, let bounds):
                                    FastBinary.clamp(operand(a, k, 0).0, register(k + 1), count: n, bounds)
                                }
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return Tensor(shape: x.shape, floats: output)
    }
}
