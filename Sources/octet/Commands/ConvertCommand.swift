import Foundation
import Octet
import OctetModels

/// `octet convert WEIGHTS.pth --arch NAME -o OUT.onnx`: PyTorch weights bound to an architecture, as ONNX.
struct ConvertCommand: Command {
    static let name = "convert"
    static let summary = "bind PyTorch weights (.pth/.pt, legacy, zip or TorchScript) to an architecture; write ONNX"
    static let help = """
        usage: octet convert WEIGHTS.pth --arch NAME -o OUT.onnx [--num-classes N] [--strip-prefix P]

          --arch NAME        \(ModelZoo.names.joined(separator: ", "))
          --num-classes N    the classifier's size, checked against the weights
          --strip-prefix P   remove P from every key (default: a common wrapper such as module. is found)
          The graph is written as read (BatchNorm not folded), input "input" [N,3,H,W], output "logits".
        """

    var model: ModelArgument
    var output: String

    init(parsing arguments: inout Arguments) throws(UsageError) {
        guard let out = try arguments.option("output", short: "o") else { throw UsageError("give -o OUT.onnx") }
        output = out
        model = try ModelArgument(parsing: &arguments)
        try model.readPositional(&arguments)
        guard model.arch != nil else { throw UsageError("give --arch NAME (\(ModelZoo.names.joined(separator: ", ")))") }
    }

    func run() throws {
        let graph = try ModelLoader.importGraph(model.source, reporter: .cli)
        try ModelWriter.write(graph, to: output)
        let params = graph.initializers.values.reduce(0) { $0 + $1.count }
        print("wrote \(output): \(model.arch ?? "") with \(params) parameters, \(graph.nodes.count) nodes")
    }
}
