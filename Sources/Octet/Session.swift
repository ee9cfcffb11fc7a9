import Foundation
import OctetCPU
import OctetIR
import OctetQuant

/// How a session runs its model.
public struct SessionOptions: Sendable {
    public var target: Target
    public var threads: Int
    /// Run a QDQ model's QuantizeLinear/DequantizeLinear in float instead of lowering it to integer kernels.
    public var simulate: Bool

    public init(target: Target = .cpu, threads: Int = CPUBackend.defaultThreads, simulate: Bool = false) {
        self.target = target
        self.threads = max(1, threads)
        self.simulate = simulate
    }
}

/// A model compiled for a target and ready to run: the one object behind `octet run`, `eval`, `bench`,
/// `compare` and the C API.
///
/// `run` may be called from several threads: calls on one session take turns (a compiled model keeps its
/// working buffers), calls on different sessions run side by side.
public final class Session: @unchecked Sendable {
    /// The file the model came from, for messages.
    public let path: String
    /// The canonical graph (before lowering): its inputs and outputs are the model's.
    public let graph: Graph
    /// The graph the backend compiled: realized on integer kernels when the model is quantized.
    public let compiledGraph: Graph
    public let options: SessionOptions
    private let model: any CompiledModel
    private let lock = NSLock()

    /// Loads, prepares and compiles `source`. `bind` fixes input shapes before the graph is canonicalized.
    public convenience init(_ source: ModelSource, options: SessionOptions = SessionOptions(),
                            reporter: Reporter = .silent,
                            bind: ((Graph) throws -> [String: [Int]])? = nil) throws {
        let graph = try ModelLoader.load(source, threads: options.threads, reporter: reporter, bind: bind)
        try self.init(graph: graph, path: source.path, options: options, reporter: reporter)
    }

    /// Compiles a graph already loaded (and canonicalized) by `ModelLoader`.
    public init(graph: Graph, path: String, options: SessionOptions = SessionOptions(),
                reporter: Reporter = .silent) throws {
        self.path = path
        self.graph = graph
        self.options = options
        compiledGraph = try Session.lower(graph, simulate: options.simulate, path: path, reporter: reporter)
        let backend = try options.target.backend(threads: options.threads)
        do {
            model = try backend.compile(compiledGraph)
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(path, error)
        }
    }

    public var inputs: [ValueInfo] { graph.inputs }
    public var outputs: [ValueInfo] { graph.outputs }

    /// Runs the model on named inputs; returns every output by name.
    public func run(_ feeds: [String: Tensor]) throws -> [String: Tensor] {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try model.run(feeds)
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(path, error)
        }
    }

    /// Milliseconds of each of `runs` runs timed by the device's own clock, inputs copied once (the CUDA
    /// target's events); nil when the target has no such clock (the CPU: time `run` instead).
    public func deviceMilliseconds(_ feeds: [String: Tensor], runs: Int) throws -> [Double]? {
        lock.lock()
        defer { lock.unlock() }
        guard let timed = model as? any DeviceTimedModel else { return nil }
        do {
            return try timed.deviceMilliseconds(feeds, runs: runs)
        } catch {
            throw InputError(path, error)
        }
    }

    /// The graph a backend compiles: realized on integer kernels when it holds Q/DQ, unless `simulate`.
    public static func lower(_ graph: Graph, simulate: Bool, path: String, reporter: Reporter = .silent) throws -> Graph {
        guard !simulate, Realize.isQuantized(graph) else { return graph }
        let realized: RealizedGraph
        do {
            realized = try Realize.run(graph)
        } catch {
            throw InputError(path, error)
        }
        for line in realized.report.warnings { reporter.warning("\(path): \(line)") }
        return realized.graph
    }
}
