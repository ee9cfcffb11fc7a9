import OctetIR
import OctetQuant

/// How a quantized (QDQ) model runs: realized on integer kernels, or with `--simulate` as float Q/DQ.
struct ExecutionOptions {
    var simulate: Bool

    static let help = """
          --simulate     run a QDQ model's QuantizeLinear/DequantizeLinear in float (simulated int8, for
                         debugging) instead of lowering it to integer kernels
        """

    init(parsing arguments: inout Arguments) { simulate = arguments.flag("simulate") }

    init(simulate: Bool) { self.simulate = simulate }

    /// The graph a backend compiles: realized when it holds Q/DQ and `--simulate` is off.
    func prepare(_ graph: Graph, path: String) throws -> Graph {
        guard !simulate, Realize.isQuantized(graph) else { return graph }
        let realized: RealizedGraph
        do {
            realized = try Realize.run(graph)
        } catch {
            throw InputError(path, error)
        }
        for line in realized.report.warnings { printError("octet: warning: \(path): \(line)") }
        return realized.graph
    }
}
