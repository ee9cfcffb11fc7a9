/// Whether a backend can run something, and if not, why ("Resize cubic has no CUDA implementation").
public enum Support: Sendable, Equatable {
    case supported
    case unsupported(reason: String)
}

/// An execution target: the CPU interpreter, CUDA. Backends see only the IR, never the quantizer.
public protocol Backend: Sendable {
    var name: String { get }
    func supports(_ node: Node, in graph: Graph) -> Support
    func compile(_ graph: Graph) throws -> any CompiledModel
}

/// A graph prepared for one backend; `run` may be called many times.
public protocol CompiledModel: Sendable {
    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor]
}

/// A compiled model on an accelerator that times its own runs with the device's clock (CUDA events),
/// leaving out the copies of inputs and outputs: what `octet bench` reports for such a target.
public protocol DeviceTimedModel: CompiledModel {
    /// Milliseconds of each of `runs` runs on `inputs`, after the inputs were copied to the device once.
    func deviceMilliseconds(_ inputs: [String: Tensor], runs: Int) throws -> [Double]
}
