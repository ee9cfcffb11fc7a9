import Dispatch
import OctetIR

/// A batch run as runs of a few images, the runs dealt to the threads, when the graph computes every image
/// from that image alone.
///
/// Inside one image's convolutions two threads meet at every layer, and at batch 16 each layer's
/// activations no longer fit in the caches: MobileNetV2 ran 16 images layer by layer at 10.5 ms an image
/// on one thread against 8.4 ms for one image alone. Runs small enough that one image's largest value
/// stays in the caches (`runBytes`), each thread on its own kernels, keep both cores busy with no meeting
/// points and every layer's activations warm (MobileNetV2 batch 16: 168 -> 137 ms on one thread, 85 -> 70
/// ms on two). Each image's values are the same bits either way: the fast kernels give every output
/// element the same operations in the same order whatever the thread count and the batch.
enum BatchSplit {
    /// A run holds as many images as keep its largest value within this many bytes, at least one.
    static let runBytes = 4 << 20

    /// The images in one run when one image's largest value takes `imageBytes` (nil: unknown): as many as
    /// fit `runBytes`, at most the batch shared evenly among `threads`.
    static func imagesPerRun(imageBytes: Int?, batch: Int, threads: Int) -> Int {
        let fit = runBytes / max(1, imageBytes ?? runBytes)
        return max(1, min(fit, (batch + threads - 1) / max(1, threads)))
    }

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

    /// The bytes of the largest value one image makes (its batch axis left out), from the shapes inference
    /// fixed; nil when some value's size is unknown.
    static func largestImageBytes(_ graph: Graph) -> Int? {
        var largest = 0
        for info in graph.valueInfo.values {
            guard let shape = info.shape else { return nil }
            // Saturating: a file may declare sizes no image has (the run then holds one image).
            var bytes = info.dtype?.byteSize ?? 4
            for d in shape.dropFirst() {
                guard let v = d.value else { return nil }
                let (product, overflow) = bytes.multipliedReportingOverflow(by: v)
                bytes = overflow ? Int.max : product
            }
            largest = max(largest, bytes)
        }
        return largest
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

    /// Runs `part` on runs of `imagesPerRun` images, the runs dealt in contiguous ranges to up to `threads`
    /// threads, and joins their outputs along axis 0; nil when the inputs do not share a first dimension
    /// of at least 2, or when the batch would run as one part anyway.
    static func run(_ inputs: [String: Tensor], threads: Int, imagesPerRun: Int,
                    _ part: ([String: Tensor]) throws -> [String: Tensor]) throws -> [String: Tensor]? {
        guard let n = inputs.values.first?.shape.first, n >= 2,
              inputs.values.allSatisfy({ $0.rank >= 1 && $0.shape[0] == n }) else { return nil }
        let runs = (n + max(1, imagesPerRun) - 1) / max(1, imagesPerRun)
        guard runs >= 2 else { return nil }
        let sizes = (0..<runs).map { Int64(n * ($0 + 1) / runs - n * $0 / runs) }
        var chunks = [[String: Tensor]](repeating: [:], count: runs)
        for (name, t) in inputs {
            let pieces = try Kernels.run(KernelContext(
                node: Node(name: "batch split", op: .split(axis: 0, numOutputs: nil), inputs: ["x", "sizes"],
                           outputs: (0..<runs).map { "part\($0)" }),
                inputs: [t, Tensor(shape: [runs], int64s: sizes)], threads: 1))
            for (p, piece) in pieces.enumerated() { chunks[p][name] = piece }
        }
        let workers = min(threads, runs)
        var results = [Result<[String: Tensor], any Error>?](repeating: nil, count: runs)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            withoutActuallyEscaping(part) { part in
                nonisolated(unsafe) let part = part
                let chunks = chunks
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for p in (runs * w / workers)..<(runs * (w + 1) / workers) {
                        slots[p] = Result { try part(chunks[p]) }
                    }
                }
            }
        }
        let outputs = try results.map { try $0!.get() }
        var joined: [String: Tensor] = [:]
        for name in outputs[0].keys {
            let pieces = outputs.map { $0[name] }
            joined[name] = try Kernels.run(KernelContext(
                node: Node(name: "batch join", op: .concat(axis: 0), inputs: (0..<runs).map { "part\($0)" },
                           outputs: ["y"]),
                inputs: pieces, threads: 1))[0]
        }
        return joined
    }
}
