import CCUDA
import OctetIR

/// A `ProgramPlan` bound to device memory: the arena its values live in, the constants, and each launch with
/// its function, geometry and final arguments. After the first run the launches are captured once as a CUDA
/// graph and replayed, so a run costs one launch on the host however many layers the model has.
final class CUDAProgram: @unchecked Sendable {
    let plan: ProgramPlan
    private let device: Device
    private let arena: DeviceAllocation
    private let memory: MemoryPlan
    private let launches: [(function: CUfunction, geometry: LaunchGeometry, arguments: [KernelArgument])]
    private let useGraph: Bool
    private var graph: CUgraph?
    private var graphExec: CUgraphExec?
    /// Checked runs: every buffer has guard bytes after it, filled before and inspected after each run.
    private let guardBytes: Int
    static let guardPattern: UInt8 = 0xA5

    init(_ plan: ProgramPlan, device: Device, library: KernelLibrary, constants: ConstantStore, useGraph: Bool,
         guardBytes: Int) throws(CUDAError) {
        self.plan = plan
        self.device = device
        self.useGraph = useGraph
        self.guardBytes = guardBytes
        memory = MemoryPlan(plan.buffers, reuse: guardBytes == 0, guardBytes: guardBytes)
        arena = try DeviceAllocation(device, bytes: memory.totalBytes)
        var constantAddresses: [UInt64] = []
        for c in plan.constants { constantAddresses.append(try constants.address(c)) }
        let base = arena.address, offsets = memory.offsets
        func address(_ operand: Operand) -> UInt64 {
            switch operand {
            case .buffer(let b): base + UInt64(offsets[b])
            case .constant(let c): constantAddresses[c]
            case .none: 0
            }
        }
        var launches: [(CUfunction, LaunchGeometry, [KernelArgument])] = []
        for l in plan.launches {
            let function = try library.function(l.kernel)
            try Self.checkArguments(l, against: library.sources.parameters[l.kernel] ?? [])
            let geometry = LaunchGeometry.elementwise(l.work, multiprocessors: device.multiprocessors)
            let arguments = l.arguments.map { a -> KernelArgument in
                switch a {
                case .int32(let v): .int32(v)
                case .int64(let v): .int64(v)
                case .float(let v): .float(v)
                case .operand(let o): .pointer(address(o))
                }
            }
            launches.append((function, geometry, arguments))
        }
        self.launches = launches
    }

    /// A launch whose arguments do not match its kernel's signature is a bug on one side or the other;
    /// caught here it is a message, on the GPU it would be garbage or a fault.
    static func checkArguments(_ launch: PlannedLaunch, against parameters: [KernelParameter]) throws(CUDAError) {
        let kinds = launch.arguments.map { a -> KernelParameter in
            switch a {
            case .int32: .int32
            case .int64: .int64
            case .float: .float
            case .operand: .pointer
            }
        }
        guard kinds == parameters else {
            throw .kernelsMissing("\(launch.kernel) takes (\(parameters.map(\.rawValue).joined(separator: ", "))) but node "
                                  + "\"\(launch.node)\" passes (\(kinds.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    deinit {
        try? device.makeCurrent()
        if let graphExec { _ = ccuda_graph_exec_destroy(graphExec) }
        if let graph { _ = ccuda_graph_destroy(graph) }
    }

    /// Queues every launch on `stream`, or replays the captured graph.
    func enqueue(on stream: Stream) throws(CUDAError) {
        guard useGraph else { return try launchAll(on: stream) }
        if graphExec == nil {
            try Driver.check(ccuda_stream_begin_capture(stream.handle, Int32(CCUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL)),
                             "cuStreamBeginCapture_v2")
            let launched = Result { () throws(CUDAError) in try launchAll(on: stream) }
            var captured: CUgraph?
            let ended = ccuda_stream_end_capture(stream.handle, &captured)
            try launched.get()
            try Driver.check(ended, "cuStreamEndCapture")
            var exec: CUgraphExec?
            try Driver.check(ccuda_graph_instantiate(&exec, captured), "cuGraphInstantiateWithFlags")
            graph = captured
            graphExec = exec
        }
        try Driver.check(ccuda_graph_launch(graphExec, stream.handle), "cuGraphLaunch")
    }

    private func launchAll(on stream: Stream) throws(CUDAError) {
        for (i, l) in launches.enumerated() {
            let buffer = KernelArgumentBuffer(l.arguments)
            let result = ccuda_launch_kernel(l.function, l.geometry.grid.x, l.geometry.grid.y, l.geometry.grid.z,
                                             l.geometry.block.x, l.geometry.block.y, l.geometry.block.z, 0, stream.handle,
                                             buffer.pointers)
            if result != 0 {
                throw Driver.callError("cuLaunchKernel(\(plan.launches[i].kernel)) for node \"\(plan.launches[i].node)\"", result)
            }
        }
    }

    /// Host tensors into their input buffers.
    func upload(_ inputs: [String: Tensor], constants: ConstantStore) throws(CUDAError) {
        for binding in plan.inputs {
            guard let t = inputs[binding.name] else { throw .unsupported("input \"\(binding.name)\" was not fed") }
            guard case .buffer(let b) = binding.operand else { continue }
            try arena.upload(t.rawBytes(), at: memory.offsets[b])
        }
        if guardBytes > 0 {
            for b in plan.buffers.indices {
                try arena.upload([UInt8](repeating: Self.guardPattern, count: guardBytes),
                                 at: memory.offsets[b] + plan.buffers[b].bytes)
            }
        }
    }

    /// Output buffers back as host tensors; in a checked run, first every guard looked at.
    func download(constants: ConstantStore) throws(CUDAError) -> [String: Tensor] {
        if guardBytes > 0 {
            for b in plan.buffers.indices {
                let g = try arena.download(guardBytes, at: memory.offsets[b] + plan.buffers[b].bytes)
                if let bad = g.firstIndex(where: { $0 != Self.guardPattern }) {
                    let writer = plan.launches.first { l in l.arguments.contains(.operand(.buffer(b))) }?.node ?? "?"
                    throw .outOfBounds("buffer \(b) (\(plan.buffers[b].bytes) bytes) was written \(bad) bytes past its end "
                                       + "(first kernel using it: node \"\(writer)\")")
                }
            }
        }
        var outputs: [String: Tensor] = [:]
        for binding in plan.outputs {
            let count = binding.shape.reduce(1, *) * binding.dtype.byteSize
            let bytes: [UInt8]
            switch binding.operand {
            case .buffer(let b): bytes = try arena.download(count, at: memory.offsets[b])
            case .constant(let c): bytes = plan.constants[c].bytes
            case .none: bytes = []
            }
            outputs[binding.name] = try Tensor(rawBytes: bytes, dtype: binding.dtype, shape: binding.shape)
        }
        return outputs
    }
}

/// Constants uploaded once per model and shared by every program (every batch size) compiled from it.
final class ConstantStore: @unchecked Sendable {
    private let device: Device
    private var uploaded: [String: DeviceAllocation] = [:]

    init(_ device: Device) { self.device = device }

    func address(_ c: ConstantData) throws(CUDAError) -> UInt64 {
        if let a = uploaded[c.key] { return a.address }
        let a = try DeviceAllocation(device, bytes: c.bytes.count)
        try a.upload(c.bytes)
        uploaded[c.key] = a
        return a.address
    }
}

extension Tensor {
    /// A tensor from the bytes a kernel wrote.
    init(rawBytes bytes: [UInt8], dtype: DType, shape: [Int]) throws(CUDAError) {
        let count = shape.reduce(1, *)
        guard bytes.count == count * dtype.byteSize else {
            throw .unsupported("\(bytes.count) bytes for a \(dtype) \(shape) tensor")
        }
        func values<T>(_: T.Type) -> [T] {
            bytes.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
        }
        switch dtype {
        case .f32: self.init(shape: shape, storage: .f32(values(Float.self)))
        case .i32: self.init(shape: shape, storage: .i32(values(Int32.self)))
        case .i64: self.init(shape: shape, storage: .i64(values(Int64.self)))
        case .i8: self.init(shape: shape, storage: .i8(values(Int8.self)))
        case .u8: self.init(shape: shape, storage: .u8(bytes))
        case .bool: self.init(shape: shape, storage: .bool(bytes.map { $0 != 0 }))
        case .f16: self.init(shape: shape, storage: .f16(values(Float16.self)))
        }
    }
}
