import Dispatch
import OctetIR

/// Runs a graph's nodes in order on the CPU kernels, dropping each intermediate after its last reader.
struct Interpreter: CompiledModel {
    let graph: Graph
    let threads: Int
    /// Every value's slot in the run's value array: graph inputs, initializers, node outputs. Names are
    /// resolved here once, so a run indexes arrays instead of hashing names for every node.
    private let slots: [String: Int]
    /// Initializers by slot (nil elsewhere), read when a run's own array holds nothing there.
    private let constants: [Tensor?]
    /// Per node, the slot of each input (-1 for an omitted optional input) and of each output (-1 for none).
    private let inputSlots: [[Int]]
    private let outputSlots: [[Int]]
    /// Slots no node reads after node `i` (graph outputs are never listed).
    private let releaseAfter: [[Int]]
    /// Per node, the slot of the value its fast step defines (-1: none, or not a fast step).
    private let fastOutputSlots: [Int]
    /// Dense nodes on the fast kernels, their weights packed once.
    private let fast: FastPlan
    /// A batch runs as parts on separate threads (`BatchSplit`).
    let splitsBatches: Bool
    /// The bytes of one image's largest value, which sets how many images a run of a split batch holds.
    let largestImageBytes: Int?

    /// Checks that every value a node reads is defined before it and every graph output is defined.
    init(graph: Graph, threads: Int) throws {
        self.graph = graph
        self.threads = threads
        var defined = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        var lastUse: [String: Int] = [:]
        var slots: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let s = slots[name] { return s }
            slots[name] = slots.count
            return slots.count - 1
        }
        for name in graph.inputs.map(\.name) + graph.initializers.keys.sorted() { _ = slot(name) }
        var inputSlots: [[Int]] = [], outputSlots: [[Int]] = []
        for (i, node) in graph.nodes.enumerated() {
            for name in node.inputs where !name.isEmpty {
                guard defined.contains(name) else {
                    throw IRError.invalidGraph("node \"\(node.name)\" (\(node.op.onnxName)) reads \"\(name)\", "
                        + "which no input, initializer or earlier node defines")
                }
                lastUse[name] = i
            }
            inputSlots.append(node.inputs.map { $0.isEmpty ? -1 : slot($0) })
            for name in node.outputs where !name.isEmpty {
                defined.insert(name)
                if lastUse[name] == nil { lastUse[name] = i }
            }
            outputSlots.append(node.outputs.map { $0.isEmpty ? -1 : slot($0) })
        }
        for output in graph.outputs where !defined.contains(output.name) {
            throw IRError.invalidGraph("graph output \"\(output.name)\" is never defined")
        }
        let kept = Set(graph.outputs.map(\.name))
        var release = [[Int]](repeating: [], count: graph.nodes.count)
        for (name, i) in lastUse.sorted(by: { $0.key < $1.key }) where !kept.contains(name) {
            release[i].append(slots[name]!)
        }
        var constants = [Tensor?](repeating: nil, count: slots.count)
        for (name, t) in graph.initializers { constants[slots[name]!] = t }
        self.slots = slots
        self.constants = constants
        self.inputSlots = inputSlots
        self.outputSlots = outputSlots
        releaseAfter = release
        let fast = FastPlan(graph: graph)
        fastOutputSlots = graph.nodes.indices.map { i in fast.definedValue(i, node: graph.nodes[i]).flatMap { slots[$0] } ?? -1 }
        self.fast = fast
        splitsBatches = BatchSplit.isSeparable(graph)
        largestImageBytes = BatchSplit.largestImageBytes(graph)
    }

    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        var unused: [UInt64]? = nil
        return try run(inputs, nanoseconds: &unused)
    }

    /// Runs the graph; when `nanoseconds` is given (one entry per node), adds each node's time to it.
    func run(_ inputs: [String: Tensor], nanoseconds: inout [UInt64]?) throws -> [String: Tensor] {
        try checkFeeds(inputs)
        // A profile times each node on all threads, so it never splits the batch.
        if splitsBatches && nanoseconds == nil {
            let batch = inputs.values.first?.shape.first ?? 1
            let perRun = BatchSplit.imagesPerRun(imageBytes: largestImageBytes, batch: batch, threads: threads)
            if let joined = try BatchSplit.run(inputs, threads: threads, imagesPerRun: perRun, { part in
                var untimed: [UInt64]? = nil
                return try runNodes(part, threads: 1, nanoseconds: &untimed)
            }) {
                return joined
            }
        }
        return try runNodes(inputs, threads: threads, nanoseconds: &nanoseconds)
    }

    /// The nodes in order on `threads` threads, for inputs already checked.
    private func runNodes(_ inputs: [String: Tensor], threads: Int, nanoseconds: inout [UInt64]?) throws
        -> [String: Tensor] {
        var values = [Tensor?](repeating: nil, count: slots.count)
        // checkFeeds accepted only declared inputs, and every one has a slot.
        for (name, t) in inputs { if let s = slots[name] { values[s] = t } }
        // Locals, so the lookup closure below captures two arrays rather than a copy of the whole interpreter.
        let (slots, constants, nodes) = (self.slots, self.constants, graph.nodes)
        for i in nodes.indices {
            let start = nanoseconds == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            defer { if nanoseconds != nil { nanoseconds![i] += DispatchTime.now().uptimeNanoseconds - start } }
            // A folded node (a Requantize after its conv, say) has nothing left to do but its releases.
            if fast.isFolded(i) {
                for s in releaseAfter[i] { values[s] = nil }
                continue
            }
            let args = inputSlots[i].map { $0 < 0 ? nil : values[$0] ?? constants[$0] }
            let outcome = try fast.run(i, node: nodes[i], inputs: args,
                                       value: { name in slots[name].flatMap { values[$0] ?? constants[$0] } },
                                       threads: threads)
            if case .ran(let produced) = outcome {
                if let produced, fastOutputSlots[i] >= 0 { values[fastOutputSlots[i]] = produced }
                for s in releaseAfter[i] { values[s] = nil }
                continue
            }
            let node = nodes[i]
            let results = try Kernels.run(KernelContext(node: node, inputs: args, threads: threads))
            for (k, s) in outputSlots[i].enumerated() where s >= 0 {
                guard k < results.count else {
                    throw IRError.invalidGraph("node \"\(node.name)\" (\(node.op.onnxName)) has no output \(k)")
                }
                values[s] = results[k]
            }
            for s in releaseAfter[i] { values[s] = nil }
        }
        var outputs: [String: Tensor] = [:]
        for output in graph.outputs {
            guard let t = slots[output.name].flatMap({ values[$0] ?? constants[$0] }) else {
                throw IRError.invalidGraph("graph output \"\(output.name)\" was not produced")
            }
            outputs[output.name] = t
        }
        return outputs
    }

    /// Every declared input fed, nothing else, with the declared element type, rank and fixed dimensions.
    private func checkFeeds(_ feeds: [String: Tensor]) throws {
        let declared = Set(graph.inputs.map(\.name))
        for name in feeds.keys.sorted() where !declared.contains(name) {
            let known = graph.inputs.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw IRError.invalidGraph("unknown input \"\(name)\"; the graph's inputs are \(known)")
        }
        for info in graph.inputs {
            guard let t = feeds[info.name] else { throw IRError.invalidGraph("input \"\(info.name)\" was not fed") }
            if let dtype = info.dtype, dtype != t.dtype {
                throw IRError.shapeMismatch("input \"\(info.name)\" is \(t.dtype), the graph declares \(dtype)")
            }
            guard let dims = info.shape else { continue }
            let declaredText = "[" + dims.map(\.description).joined(separator: ", ") + "]"
            guard dims.count == t.rank else {
                throw IRError.shapeMismatch("input \"\(info.name)\" has shape \(t.shape) (rank \(t.rank)), "
                    + "the graph declares \(declaredText)")
            }
            for (d, dim) in dims.enumerated() {
                if let fixed = dim.value, fixed != t.shape[d] {
                    throw IRError.shapeMismatch("input \"\(info.name)\" has shape \(t.shape), "
                        + "the graph declares \(declaredText)")
                }
            }
        }
    }
}
