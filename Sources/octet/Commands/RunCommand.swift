import Foundation
import Octet
import OctetCPU
import OctetData
import OctetIR

/// `octet run MODEL --input ...`: one inference, outputs saved as .npy and/or the top-K classes printed.
struct RunCommand: Command {
    static let name = "run"
    static let summary = "run a model on tensor files or images; save outputs, print top-K classes"
    static let help = """
        usage: octet run MODEL [--target cpu] [--simulate] --input [NAME=]FILE ... [--save DIR] [--save-inputs DIR]
                         [--top K] [--labels imagenet|FILE] [--threads N] [PREPROCESS]

          --input [NAME=]FILE   .npy or .pb (TensorProto) tensors, or .jpg/.jpeg images
                                (preprocessed as PREPROCESS says); NAME may be left out for a
                                single-input model
          --save DIR            write each output as DIR/<output name>.npy
          --save-inputs DIR     write each input as fed (a photo preprocessed) as DIR/<input name>.npy, to
                                give another runtime, or the C API, the same tensor
          --top K               print the K best classes of the first output
          --labels L            class names: imagenet (built in, the default) or a text file, one per line
        \(ExecutionOptions.help)
        \(ModelArgument.help)
        \(PreprocessOptions.help)
        """

    var model: ModelArgument
    var path: String { model.path }
    var target: Target
    var inputs: [(name: String?, file: String)]
    var saveDirectory: String?
    var saveInputsDirectory: String?
    var top: Int?
    var labels: String
    var threads: Int
    var preprocess: PreprocessOptions
    var execution: ExecutionOptions

    init(parsing arguments: inout Arguments) throws(UsageError) {
        model = try ModelArgument(parsing: &arguments)
        target = try arguments.choice("target", default: .cpu)
        execution = ExecutionOptions(parsing: &arguments)
        inputs = try arguments.options("input").map { spec in
            if let eq = spec.firstIndex(of: "="), !spec[..<eq].contains("/") {
                return (String(spec[..<eq]), String(spec[spec.index(after: eq)...]))
            }
            return (nil, spec)
        }
        saveDirectory = try arguments.option("save")
        saveInputsDirectory = try arguments.option("save-inputs")
        top = try arguments.option("top").map { text throws(UsageError) in
            guard let k = Int(text), k > 0 else { throw UsageError("--top expects a positive integer, got '\(text)'") }
            return k
        }
        labels = try arguments.option("labels") ?? "imagenet"
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        preprocess = try PreprocessOptions(parsing: &arguments)
        try model.readPositional(&arguments)
        guard !inputs.isEmpty else { throw UsageError("give at least one --input") }
    }

    func run() throws {
        let session = try Session(model.source, options: execution.sessionOptions(target: target, threads: threads),
                                  reporter: .cli)
        let graph = session.graph
        let feeds = try bindInputs(graph)
        let outputs = try session.run(feeds)
        if let dir = saveDirectory { try save(outputs, names: graph.outputs.map(\.name), in: dir) }
        if let dir = saveInputsDirectory { try save(feeds, names: graph.inputs.map(\.name), in: dir) }
        if let k = top, let first = graph.outputs.first, let logits = outputs[first.name] {
            try printTop(logits, k: k)
        }
        if saveDirectory == nil && saveInputsDirectory == nil && top == nil {
            for output in graph.outputs {
                guard let t = outputs[output.name] else { continue }
                print("\(output.name): \(t.dtype.rawValue)\(t.shape)")
            }
        }
    }

    /// Writes each named tensor as DIR/<name>.npy, the name made safe for a file name.
    private func save(_ tensors: [String: Tensor], names: [String], in dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in names {
            guard let t = tensors[name] else { continue }
            let safe = name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." ? $0 : "_" }
            try TensorFiles.writeNPY(t, to: (dir as NSString).appendingPathComponent(String(safe) + ".npy"))
        }
    }

    private func bindInputs(_ graph: Graph) throws -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for (name, file) in inputs {
            let target: ValueInfo
            if let name {
                guard let match = graph.inputs.first(where: { $0.name == name }) else {
                    let known = graph.inputs.map(\.name).joined(separator: ", ")
                    throw InputError(path, "the model has no input \"\(name)\" (inputs: \(known))")
                }
                target = match
            } else {
                guard graph.inputs.count == 1 else {
                    throw InputError(path, "the model has \(graph.inputs.count) inputs; name each as --input NAME=FILE")
                }
                target = graph.inputs[0]
            }
            feeds[target.name] = try ImageInput.isImage(file)
                ? ImageInput.load(file, options: preprocess, for: target)
                : TensorFiles.read(file)
        }
        return feeds
    }

    private func printTop(_ logits: Tensor, k: Int) throws {
        let values = logits.floatValues()
        let classes = logits.shape.last ?? values.count
        guard classes > 0 else { return }
        let row = Array(values.prefix(classes))
        let names = try ClassNames.load(labels)
        let maxValue = row.max() ?? 0
        let exps = row.map { exp(Double($0 - maxValue)) }
        let total = exps.reduce(0, +)
        let ranked = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(k)
        print("rank  class  probability  logit     name")
        for (rank, index) in ranked.enumerated() {
            let name = index < names.count ? names[index] : ""
            print(String(format: "%4d  %5d  %11.4f  %8.4f  %@", rank + 1, index, exps[index] / total,
                         Double(row[index]), name))
        }
    }
}

/// Class names for `--top`: the built-in ImageNet list or a text file with one name per line.
enum ClassNames {
    static func load(_ spec: String) throws -> [String] {
        if spec == "imagenet" { return imageNetClasses }
        guard let text = try? String(contentsOfFile: spec, encoding: .utf8) else {
            throw InputError(spec, "cannot read the labels file")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
