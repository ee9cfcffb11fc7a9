import Foundation
import OctetIR
@testable import OctetCUDA

/// The CUDA backend's plans run by the host emulator: the same lowering, memory plan (without reuse, with
/// guard bytes after every buffer) and kernel sources as on a GPU, executed here.
struct EmulatedCUDABackend: Backend {
    let emulator: HostKernelEmulator
    var name: String { "cuda-emulated" }

    func supports(_ node: Node, in graph: Graph) -> Support { CUDABackend().supports(node, in: graph) }

    func compile(_ graph: Graph) throws -> any CompiledModel {
        for node in graph.nodes {
            if case .unsupported(let reason) = supports(node, in: graph) { throw IRError.unsupported(reason) }
        }
        return EmulatedModel(graph: graph, emulator: emulator)
    }
}

struct EmulatedModel: CompiledModel {
    let graph: Graph
    let emulator: HostKernelEmulator
    static let guardBytes = 64

    func plan(for inputs: [String: Tensor]) throws -> ProgramPlan {
        try CUDABackend.plan(graph, inputShapes: inputs.mapValues(\.shape))
    }

    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try run(plan: plan(for: inputs), inputs)
    }

    func run(plan: ProgramPlan, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
        let memory = MemoryPlan(plan.buffers, reuse: false, guardBytes: Self.guardBytes)
        let arena = UnsafeMutableRawPointer.allocate(byteCount: max(memory.totalBytes, 1), alignment: 256)
        defer { arena.deallocate() }
        arena.initializeMemory(as: UInt8.self, repeating: 0xA5, count: max(memory.totalBytes, 1))
        var constants: [UnsafeMutableRawPointer] = []
        defer { constants.forEach { $0.deallocate() } }
        for c in plan.constants {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(c.bytes.count, 1), alignment: 256)
            c.bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: c.bytes.count) }
            constants.append(p)
        }
        func address(_ o: Operand) -> UInt64 {
            switch o {
            case .buffer(let b): UInt64(UInt(bitPattern: arena + memory.offsets[b]))
            case .constant(let c): UInt64(UInt(bitPattern: constants[c]))
            case .none: 0
            }
        }
        for binding in plan.inputs {
            guard case .buffer(let b) = binding.operand, let t = inputs[binding.name] else { continue }
            let bytes = t.rawBytes()
            bytes.withUnsafeBytes { (arena + memory.offsets[b]).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        }
        for launch in plan.launches {
            try CUDAProgram.checkArguments(launch, against: emulator.sources.parameters[launch.kernel] ?? [])
            try emulator.launch(launch.kernel, launch.arguments.map { a -> KernelArgument in
                switch a {
                case .int32(let v): .int32(v)
                case .int64(let v): .int64(v)
                case .float(let v): .float(v)
                case .operand(let o): .pointer(address(o))
                }
            })
        }
        for (b, request) in plan.buffers.enumerated() {
            let guardStart = arena + memory.offsets[b] + request.bytes
            for k in 0..<Self.guardBytes where guardStart.load(fromByteOffset: k, as: UInt8.self) != 0xA5 {
                throw CUDAError.outOfBounds("buffer \(b) written \(k) bytes past its end")
            }
        }
        var outputs: [String: Tensor] = [:]
        for binding in plan.outputs {
            let count = binding.shape.reduce(1, *) * binding.dtype.byteSize
            let start: UnsafeRawPointer
            switch binding.operand {
            case .buffer(let b): start = UnsafeRawPointer(arena + memory.offsets[b])
            case .constant(let c): start = UnsafeRawPointer(constants[c])
            case .none: continue
            }
            let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
            outputs[binding.name] = try Tensor(rawBytes: bytes, dtype: binding.dtype, shape: binding.shape)
        }
        return outputs
    }
}
