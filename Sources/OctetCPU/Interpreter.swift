import Dispatch
import OctetIR

/// Runs a graph's nodes in order on the CPU kernels, dropping each intermediate after its last reader.
struct Interpreter: CompiledModel {
    let graph: Graph
    let threads: Int
    /// Values no node reads after node `i` (graph outputs are never listed).
    private let releaseAfter: [[String]]
    /// Dense nodes on the fast kernels, their weights packed once.
    private let fast: FastPlan

    /// Checks that every value a node reads is defined before it and every graph output is defined.
    init(graph: Graph, threads: Int) throws {
        self.graph = graph
        self.threads = threads
        var defined = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        var lastUse: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() {
            for name in node.inputs where !name.isEmpty {
                guard defined.contains(name) else {
                    throw IRError.invalidGraph("node \"\(node.name)\" (\(node.op.onnxName)) reads \"\(name)\", "
                        + "which no input, initializer or earlier node defines")
                }
                lastUse[name] = i
            }
            for name in node.outputs where !name.isEmpty {
                defined.insert(name)
                if lastUse[name] == nil { lastUse[name] = i }
            }
        }
        for output in graph.outputs where !defined.contains(output.name) {
            throw IRError.invalidGraph("graph output \"\(output.name)\" is never defined")
        }
        let kept = Set(graph.outputs.map(\.name))
        var release = [[String]](repeating: [], count: graph.nodes.count)
        for (name, i) in lastUse.sorted(by: { $0.key < $1.key }) where !kept.contains(name) {
            release[i].append(name)
        }
        releaseAfter = release
        fast = FastPlan(graph: graph)
    }

    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        var unused: [UInt64]? = nil
        return try run(inputs, nanoseconds: &unused)
    }

    /// Runs the graph; when `nanoseconds` is given (one entry per node), adds each node's time to it.
    func run(_ inputs: [String: Tensor], nanoseconds: inout [UInt64]?) throws -> [String: Tensor] {
        try checkFeeds(inputs)
        var values = inputs
        for (i, node) in graph.nodes.enumerated() {
            let start = nanoseconds == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            defer { if nanoseconds != nil { nanoseconds![i] += DispatchTime.now().uptimeNanoseconds - start } }
            let args = node.inputs.map { $0.isEmpty ? nil : values[$0] ?? graph.initializers[$0] }
            if let produced = try fast.run(i, node: node, inputs: args, value: { values[$0] ?? graph.initializers[$0] },
                                           threads: threads) {
                values.merge(produced) { $1 }
                for name in releaseAfter[i] { values[name] = nil }
                continue
            }
            let results = try Kernels.run(KernelContext(node: node, inputs: args, threads: threads))
            for (k, name) in node.outputs.enumerated() where !name.isEmpty {
                guard k < results.count else {
                    throw IRError.invalidGraph("node \"\(node.name)\" (\(node.op.onnxName)) has no output \(k)")
                }
                values[name] = results[k]
            }
            for name in releaseAfter[i] { values[name] = nil }
        }
        var outputs: [String: Tensor] = [:]
        for output in graph.outputs {
            guard let t = values[output.name] ?? graph.initializers[output.name] else {
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
