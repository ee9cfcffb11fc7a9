import Foundation
import Octet
import OctetCUDA
import OctetIR
import OctetQuant

/// `octet inspect MODEL`: what a model holds — inputs, outputs, op histogram, parameters, size.
struct InspectCommand: Command {
    static let name = "inspect"
    static let summary = "summarize a model (ops, parameters, inputs/outputs) or a .rec file"
    static let help = """
        usage: octet inspect MODEL [--graph] [--lowered] [--target cuda [--batch N] [--shape NAME=D,D,..]]
               octet inspect FILE.rec

          MODEL      an ONNX file, or a .pth/.pt with --arch NAME
          --graph    print every node of the canonical graph (after constant and BatchNorm folding)
          --lowered  realize a QDQ model: which ops run as integers, and why each float one stayed float
                     (with --graph: print the lowered graph)
          --target cuda  whether the model runs on the CUDA target, decided here without a GPU: the nodes that
                     have no CUDA kernel, or the launches and device memory of one run at batch N (default 1;
                     --shape gives inputs with other symbolic dims)
          FILE.rec   records, labels, ids and image sizes of an MXNet RecordIO file (and its .idx)
        \(ModelArgument.help)
        """

    var model: ModelArgument
    var showGraph: Bool
    var lowered: Bool
    var target: Target?
    var batch: Int
    var shapes: [String: [Int]]
    var path: String { model.path }

    init(parsing arguments: inout Arguments) throws(UsageError) {
        showGraph = arguments.flag("graph")
        lowered = arguments.flag("lowered")
        target = try arguments.option("target").map { text throws(UsageError) in
            guard let t = Target(rawValue: text) else { throw UsageError("--target must be cpu or cuda, got '\(text)'") }
            return t
        }
        batch = try arguments.int("batch", default: 1, range: 1...65536)
        shapes = try InputShapes.parse(arguments.options("shape"))
        model = try ModelArgument(parsing: &arguments)
        try model.readPositional(&arguments)
    }

    func run() throws {
        if path.lowercased().hasSuffix(".rec") {
            try RecordSummaryPrinter.print(path)
            return
        }
        if target == .cuda {
            // Bound before canonicalizing, as `run` and `bench` bind them: shape arithmetic then folds away.
            var shapes: [String: [Int]] = [:]
            let graph = try model.load(threads: 1) { imported in
                for input in imported.inputs {
                    shapes[input.name] = try InputShapes.resolve(input, batch: batch, explicit: self.shapes, file: path)
                }
                return shapes
            }
            let compiled = try Session.lower(graph, simulate: false, path: path, reporter: .cli)
            print(CUDABackend().report(compiled, inputShapes: shapes))
            return
        }
        let graph = try model.load(threads: 1)
        if lowered {
            guard Realize.isQuantized(graph) else {
                let integer = graph.nodes.filter { node in
                    switch node.op {
                    case .convInteger, .matMulInteger, .dynamicQuantizeLinear, .requantize, .qlinearAdd,
                         .qlinearGlobalAveragePool: true
                    default: false
                    }
                }.map(\.op.onnxName)
                print("\(path) has no QuantizeLinear or DequantizeLinear: no QDQ group to lower"
                    + (integer.isEmpty ? "; every op runs float" : "; \(integer.count) ops compute integers as they are ("
                        + Set(integer).sorted().joined(separator: ", ") + "), the rest float"))
                return
            }
            let realized: RealizedGraph
            do { realized = try Realize.run(graph) } catch { throw InputError(path, error) }
            print(showGraph ? realized.graph.text : realized.report.text)
            return
        }
        if showGraph {
            print(graph.text)
            return
        }
        print(ModelSummary(graph: graph, fileBytes: fileSize(path)).text)
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}

/// The numbers `inspect` prints about a graph.
struct ModelSummary {
    var graph: Graph
    var fileBytes: Int

    var text: String {
        var lines: [String] = []
        lines.append("graph: \(graph.name)  (\(graph.nodes.count) nodes, file \(megabytes(fileBytes)))")
        lines.append("inputs:")
        for v in graph.inputs { lines.append("  \(v.name): \(describe(v))") }
        lines.append("outputs:")
        for v in graph.outputs { lines.append("  \(v.name): \(describe(graph.valueInfo[v.name] ?? v))") }
        var params = 0
        var bytes = 0
        for t in graph.initializers.values {
            params += t.count
            bytes += t.count * t.dtype.byteSize
        }
        lines.append("parameters: \(params.formatted()) (\(megabytes(bytes)) of weights)")
        lines.append("ops:")
        var histogram: [String: Int] = [:]
        for node in graph.nodes { histogram[node.op.onnxName, default: 0] += 1 }
        for (op, count) in histogram.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append("  \(op.padding(toLength: 22, withPad: " ", startingAt: 0)) \(count)")
        }
        return lines.joined(separator: "\n")
    }

    private func describe(_ v: ValueInfo) -> String {
        let type = v.dtype?.rawValue ?? "?"
        let shape = v.shape.map { "[" + $0.map(\.description).joined(separator: ",") + "]" } ?? "[?]"
        return type + shape
    }
}

func megabytes(_ bytes: Int) -> String {
    String(format: "%.2f MB", Double(bytes) / 1_000_000)
}

extension Int {
    func formatted() -> String {
        let digits = String(self)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
