import OctetIR

/// Where a kernel argument's bytes live: an intermediate value's buffer, an uploaded constant, or nothing
/// (a null pointer for an omitted optional operand).
public enum Operand: Sendable, Equatable {
    case buffer(Int)
    case constant(Int)
    case none
}

/// A kernel argument before addresses are known.
public enum PlannedArgument: Sendable, Equatable {
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    case operand(Operand)

    static func int(_ v: Int) -> PlannedArgument { .int32(Int32(v)) }
    static func flag(_ v: Bool) -> PlannedArgument { .int32(v ? 1 : 0) }
}

/// One kernel launch of a program: the kernel, how much work its grid covers, its arguments.
public struct PlannedLaunch: Sendable, Equatable {
    public var kernel: String
    /// Work items; every kernel loops over them with a grid stride, one thread per item.
    public var work: Int
    public var arguments: [PlannedArgument]
    /// The graph node it runs (for errors and profiles).
    public var node: String
}

/// Bytes uploaded to the device once per model: weights converted to the kernels' forms, zero points
/// widened to int32, requantize ratios. The key names the node and role, so every batch size's program
/// shares one upload.
public struct ConstantData: Sendable, Equatable {
    public var key: String
    public var bytes: [UInt8]
}

/// A graph lowered for one set of input shapes: its value buffers, constants and launches, in node order.
/// Built without a device (so it is tested on machines with no GPU), then bound to addresses by a program.
public struct ProgramPlan: Sendable {
    public struct Binding: Sendable, Equatable {
        public var name: String
        public var operand: Operand
        public var shape: [Int]
        public var dtype: DType
    }
    public var buffers: [MemoryPlan.Request] = []
    public var constants: [ConstantData] = []
    public var launches: [PlannedLaunch] = []
    public var inputs: [Binding] = []
    public var outputs: [Binding] = []

    /// The kernels launched, in order: how a test proves which path a node took.
    public var kernelNames: [String] { launches.map(\.kernel) }
}
