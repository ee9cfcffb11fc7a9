import Octet

/// How a quantized (QDQ) model runs: realized on integer kernels, or with `--simulate` as float Q/DQ.
struct ExecutionOptions {
    var simulate: Bool

    static let help = """
          --simulate     run a QDQ model's QuantizeLinear/DequantizeLinear in float (simulated int8, for
                         debugging) instead of lowering it to integer kernels
        """

    init(parsing arguments: inout Arguments) { simulate = arguments.flag("simulate") }

    init(simulate: Bool) { self.simulate = simulate }

    func sessionOptions(target: Target, threads: Int) -> SessionOptions {
        SessionOptions(target: target, threads: threads, simulate: simulate)
    }
}
