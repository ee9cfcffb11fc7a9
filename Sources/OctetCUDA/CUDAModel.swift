import Foundation
import OctetIR

/// A graph compiled for one GPU: kernels loaded, weights uploaded once, and one program per set of input
/// shapes (the batch size is chosen at run time; each new one plans its memory and captures its graph once).
final class CUDAModel: DeviceTimedModel, @unchecked Sendable {
    let graph: Graph
    private let device: Device
    private let library: KernelLibrary
    private let constants: ConstantStore
    private let stream: Stream
    private let options: CUDABackend.Options
    private let lock = NSLock()
    private var programs: [[Int]: CUDAProgram] = [:]

    init(graph: Graph, device: Device, library: KernelLibrary, options: CUDABackend.Options) throws(CUDAError) {
        self.graph = graph
        self.device = device
        self.library = library
        self.options = options
        constants = ConstantStore(device)
        stream = try Stream(device)
    }

    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        lock.lock()
        defer { lock.unlock() }
        let program = try program(for: inputs)
        try device.makeCurrent()
        try program.upload(inputs, constants: constants)
        try program.enqueue(on: stream)
        try stream.synchronize()
        return try program.download(constants: constants)
    }

    func deviceMilliseconds(_ inputs: [String: Tensor], runs: Int) throws -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        let program = try program(for: inputs)
        try device.makeCurrent()
        try program.upload(inputs, constants: constants)
        let timer = try EventTimer(device)
        var samples: [Double] = []
        for _ in 0..<runs {
            samples.append(try timer.time(on: stream) { () throws(CUDAError) in try program.enqueue(on: stream) })
        }
        return samples
    }

    /// The program for these inputs' shapes, planned and bound the first time they are seen.
    private func program(for inputs: [String: Tensor]) throws -> CUDAProgram {
        var shapes: [String: [Int]] = [:]
        var key: [Int] = []
        for info in graph.inputs {
            guard let t = inputs[info.name] else { throw IRError.invalidGraph("input \"\(info.name)\" was not fed") }
            if let dtype = info.dtype, dtype != t.dtype {
                throw IRError.shapeMismatch("input \"\(info.name)\" is \(t.dtype), the graph declares \(dtype)")
            }
            shapes[info.name] = t.shape
            key += t.shape + [-1]
        }
        for name in inputs.keys where !graph.inputs.contains(where: { $0.name == name }) {
            throw IRError.invalidGraph("unknown input \"\(name)\"; the graph's inputs are "
                + graph.inputs.map { "\"\($0.name)\"" }.joined(separator: ", "))
        }
        if let p = programs[key] { return p }
        let bound = try graph.bindingInputShapes(shapes).inferringShapes()
        let plan = try ProgramBuilder.buildForRunners(bound)
        let program = try CUDAProgram(plan, device: device, library: library, constants: constants,
                                      useGraph: options.useGraphs, guardBytes: options.guardBytes)
        programs[key] = program
        return program
    }
}
