import Foundation

/// Every subcommand, in the order `octet --help` lists them.
let commands: [any Command.Type] = [
    DemoCommand.self,
    InspectCommand.self,
    RunCommand.self,
    BenchCommand.self,
    QuantizeCommand.self,
    EvalCommand.self,
    CompareCommand.self,
    TestOpsCommand.self,
    DecodeCommand.self,
    PackCommand.self,
    ConvertCommand.self,
]

let usage = """
    octet: int8 quantization for vision models — import, calibrate, export QDQ ONNX, run on CPU or CUDA.

    usage: octet COMMAND [OPTIONS]   (octet COMMAND --help for its options)

    commands:
    \(commands.map { "  " + $0.name.padding(toLength: 10, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

    exit status: 0 success, 1 bad input or failed run, 2 bad flags
    """

@MainActor
func runMain() -> Int32 {
    var argv = Array(CommandLine.arguments.dropFirst())
    guard let name = argv.first else {
        printError(usage)
        return 2
    }
    if name == "--help" || name == "-h" || name == "help" {
        print(usage)
        return 0
    }
    guard let type = commands.first(where: { $0.name == name }) else {
        printError("octet: error: unknown command '\(name)'\n\n\(usage)")
        return 2
    }
    argv.removeFirst()
    var arguments = Arguments(argv)
    if arguments.helpRequested {
        print(type.help)
        return 0
    }
    let command: any Command
    do {
        command = try type.init(parsing: &arguments)
    } catch {
        printError("octet \(name): error: \(error)\n\n\(type.help)")
        return 2
    }
    do {
        try command.run()
        return 0
    } catch let error as UsageError {
        printError("octet \(name): error: \(error)\n\n\(type.help)")
        return 2
    } catch {
        printError("octet: error: \(error)")
        return 1
    }
}

exit(runMain())
