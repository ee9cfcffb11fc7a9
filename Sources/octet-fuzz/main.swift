import Foundation

// The libFuzzer driver. Scripts/fuzz.sh builds this target with -sanitize=fuzzer,address and
// -DOCTET_FUZZER; OCTET_FUZZ_TARGET names the parser to fuzz and libFuzzer's own options follow on the
// command line. A plain build, as part of the package, only says how to run it.

/// The input callback libFuzzer calls; `target` is chosen before the driver starts.
nonisolated(unsafe) private var target: FuzzTargets.Target?

private let fuzzOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    target?.run(bytes)
    return 0
}

let name = ProcessInfo.processInfo.environment["OCTET_FUZZ_TARGET"] ?? ""
guard let chosen = FuzzTargets.all.first(where: { $0.name == name }) else {
    let list = FuzzTargets.all.map { "  \($0.name)\t\($0.summary)" }.joined(separator: "\n")
    print("set OCTET_FUZZ_TARGET to one of:\n\(list)")
    exit(name == "list" ? 0 : 2)
}
target = chosen

#if OCTET_FUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
#else
print("octet-fuzz was built without libFuzzer: run it through Scripts/fuzz.sh, which builds it for fuzzing")
exit(2)
#endif
