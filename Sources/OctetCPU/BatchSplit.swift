import Dispatch
import OctetIR

/// A batch run as parts of images on separate threads, one thread each, when the graph computes every
/// image from that image alone.
///
/// Inside one image's convolutions two threads meet at every layer, and at batch 16 each layer's
/// activations no longer fit in the caches: MobileNetV2 ran 16 images at 5.5 ms an image against 4.5 ms
/// for one. Eight images a thread, each thread on its own kernels, keep both busy with no meeting points.
/// Each image's values are the same bits either way: the fast kernels give every output element the
/// same operations in the same order whatever the thread count.
enum BatchSplit {
    /// Whether each image of a batch (axis 0 of every input) depends on that image alone: every node is
    /// one that works image by image (in the form it has here), reads images only at its data inputs (its
    /// weights, shapes, bounds and scales are constants), and every value it reads or makes that is not a
    /// constant has the batch as its first dimension. Conservative: an unknown shape or op says no.
    static func isSeparable(_ graph: Graph) -> Bool {
        guard let batch = graph.inputs.first?.shape?.first else { return false }
        var constants = Set(graph.initializers.keys)
        func carriesBatch(_ name: String) -> Bool {
            let shape = graph.valueInfo[name]?.shape ?? graph.inputs.first { $0.name == name }?.shape
                ?? graph.outputs.first { $0.name == name }?.shape
            return shape?.first == batch
        }
        for v in graph.inputs + graph.outputs where v.shape?.first != batch { return false }
        for node in graph.nodes {
            let live = node.inputs.filter { !$0.isEmpty && !constants.contains($0) }
            if live.isEmpty {
                constants.formUnion(node.outputs.filter { !$0.isEmpty })
                continue
            }
            let data = dataInputs(node.op, count: node.inputs.count)
            let parametersConstant = node.inputs.enumerated().allSatisfy { i, name in
                data.contains(i) || name.isEmpty || constants.contains(name)
            }
            guard parametersConstant, imageByImage(node, constants: constants, graph: graph), live.allSatisfy(carriesBatch),
                  node.outputs.filter({ !$0.isEmpty }).allSatisfy(carriesBatch) else { return false }
        }
        return true
    }

    /// The inputs that hold images; the rest must be constants (a shape fed as a graph input would be
    /// split like an image).
    private static func dataInputs(_ op: Op, count: Int) -> Set<Int> {
        switch op {
        case .binary: [0, 1]
        case .concat: Set(0..<count)
        case .qlinearAdd: [0, 3]
        default: [0]
        }
    }

    /// Ops that never combine values of different images, given inputs and outputs with the batch first.
    private static func imageByImage(_ node: Node, constants: Set<String>, graph: Graph) -> Bool {
        func rank(_ name: String?) -> Int? {
            guard let name else { return nil }
            return (graph.valueInfo[name]?.shape ?? graph.inputs.first { $0.name == name }?.shape
                ?? graph.outputs.first { $0.name == name }?.shape)?.count
        }
        func rank() -> Int? { rank(node.input(0)) }
        func rankedShape(_ name: String?) -> [Dim]? {
            guard let name else { return nil }
            return graph.valueInfo[name]?.shape ?? graph.inputs.first { $0.name == name }?.shape
        }
        // Broadcasting aligns trailing axes: an operand of lower rank would meet the batch with another axis.
        func operandsAlignBatch() -> Bool {
            let output = rank(node.outputs.first)
            return output != nil && node.inputs.allSatisfy { $0.isEmpty || constants.contains($0) || rank($0) == output }
        }
        func notBatchAxis(_ axis: Int) -> Bool { axis > 0 || (axis < 0 && rank().map { axis + $0 > 0 } ?? false) }
        switch node.op {
        case .conv, .convTranspose, .maxPool, .averagePool, .globalAveragePool, .globalMaxPool, .unary,
             .leakyRelu, .hardSigmoid, .clip, .identity, .dropout, .cast,
             .convInteger, .qlinearGlobalAveragePool:
            return true
        case .resize(let a):
            // Resizing the batch axis itself (sizes name it) would ask each part for the whole batch.
            let axes = (a.axes ?? Array(0..<(rank() ?? 0))).map { $0 < 0 ? $0 + (rank() ?? 0) : $0 }
            guard let k = axes.firstIndex(of: 0) else { return true }
            if let sizes = node.input(3).flatMap({ graph.initializers[$0] }), sizes.count > 0 { return false }
            guard let scales = node.input(2).flatMap({ graph.initializers[$0] }), scales.count == axes.count else { return false }
            return scales.floatValues()[k] == 1
        case .flatten(let axis):
            return notBatchAxis(axis)
        case .reshape(let allowZero):
            // The batch must stay the first axis, each image's elements its own: a shape that starts with 0
            // (copy) or -1 (the rest) over the same per-image size. A shape that spells out the batch size
            // would ask each part for the whole batch.
            guard let shape = node.input(1).flatMap({ graph.initializers[$0] })?.int64Values(), let first = shape.first,
                  first == -1 || (first == 0 && !allowZero),
                  let input = rankedShape(node.input(0)),
                  let output = node.outputs.first.flatMap({ graph.valueInfo[$0]?.shape }) else { return false }
            let perImage = { (dims: [Dim]) -> Int? in
                dims.dropFirst().reduce(Int?(1)) { acc, d in acc.flatMap { a in d.value.map { a * $0 } } }
            }
            return perImage(input) != nil && perImage(input) == perImage(output)
        case .binary, .qlinearAdd:
            return operandsAlignBatch()
        case .batchNormalization:
            return node.outputs.filter { !$0.isEmpty }.count == 1
        case .quantizeLinear(let axis), .dequantizeLinear(let axis):
            // Scales along the batch would belong to images by position, which a split moves.
            return notBatchAxis(axis) || node.input(1).flatMap({ graph.initializers[$0] })?.count == 1
        case .requantize(let a):
            return notBatchAxis(a.axis) || node.input(1).flatMap({ graph.initializers[$0] })?.count == 1
        case .gemm(let a):
            // A C with a row per image ([M, 1] or [M, N]) would be split apart from A's rows.
            let c = node.input(2).flatMap { graph.initializers[$0]?.shape ?? graph.valueInfo[$0]?.shape?.map { $0.value ?? -1 } }
            return !a.transA && (c == nil || c!.count < 2 || c![0] == 1)
        case .matMul, .matMulInteger:
            return true
        case .softmax(let axis), .concat(let axis):
            return notBatchAxis(axis)
        case .transpose(let perm):
            return perm?.first == 0
        default:
            return false
        }
    }

    /// Runs `part` on up to `threads` parts of the batch at once and joins their outputs along axis 0; nil
    /// when the inputs do not share a first dimension of at least 2.
    static func run(_ inputs: [String: Tensor], threads: Int,
                    _ part: ([String: Tensor]) throws -> [String: Tensor]) throws -> [String: Tensor]? {
        guard let n = inputs.values.first?.shape.first, n >= 2,
              inputs.values.allSatisfy({ $0.rank >= 1 && $0.shape[0] == n }) else { return nil }
        let parts = min(threads, n)
        guard parts >= 2 else { return nil }
        let sizes = (0..<parts).map { Int64(n * ($0 + 1) / parts - n * $0 / parts) }
        var chunks = [[String: Tensor]](repeating: [:], count: parts)
        for (name, t) in inputs {
            let pieces = try Kernels.run(KernelContext(
                node: Node(name: "batch split", op: .split(axis: 0, numOutputs: nil), inputs: ["x", "sizes"],
                           outputs: (0..<parts).map { "part\($0)" }),
                inputs: [t, Tensor(shape: [parts], int64s: sizes)], threads: 1))
            for (p, piece) in pieces.enumerated() { chunks[p][name] = piece }
        }
        var results = [Result<[String: Tensor], any Error>?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            withoutActuallyEscaping(part) { part in
                nonisolated(unsafe) let part = part
                let chunks = chunks
                DispatchQueue.concurrentPerform(iterations: parts) { p in
                    slots[p] = Result { try part(chunks[p]) }
                }
            }
        }
        let outputs = try results.map { try $0!.get() }
        var joined: [String: Tensor] = [:]
        for name in outputs[0].keys {
            let pieces = outputs.map { $0[name] }
            joined[name] = try Kernels.run(KernelContext(
                node: Node(name: "batch join", op: .concat(axis: 0), inputs: (0..<parts).map { "part\($0)" },
                           outputs: ["y"]),
                inputs: pieces, threads: 1))[0]
        }
        return joined
    }
}
