// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Octet",
    products: [
        .executable(name: "octet", targets: ["octet"]),
        // libOctet.so: the C API (Sources/COctetAPI/include/octet.h). Scripts/build-c-library.sh links the
        // Swift runtime in and installs it as liboctet.so.
        .library(name: "Octet", type: .dynamic, targets: ["OctetCAPI"]),
    ],
    targets: [
        .target(name: "OctetIR", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "OctetFormats", dependencies: ["OctetIR"]),
        .target(name: "OctetData", dependencies: ["OctetIR", "OctetFormats"]),
        .target(name: "OctetPasses", dependencies: ["OctetIR"]),
        .target(name: "OctetCPUKernels"),
        .target(name: "OctetCPU", dependencies: ["OctetIR", "OctetCPUKernels"]),
        .target(name: "OctetModels", dependencies: ["OctetIR", "OctetFormats"]),
        .target(name: "OctetQuant", dependencies: ["OctetIR", "OctetPasses", "OctetCPU", "OctetCPUKernels"]),
        // The CUDA driver API through dlopen: builds and runs (with a clear error) where no CUDA is installed.
        .target(name: "CCUDA", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "OctetCUDA", dependencies: ["OctetIR", "CCUDA"]),
        .target(name: "OctetConformance", dependencies: ["OctetIR", "OctetFormats", "OctetCPU"]),
        .target(name: "OctetTestSupport", dependencies: ["OctetIR"]),
        // The pipeline the CLI and the C API share: load, quantize, compile for a target, run, evaluate.
        .target(name: "Octet",
                dependencies: ["OctetIR", "OctetFormats", "OctetData", "OctetPasses", "OctetCPU", "OctetCUDA", "OctetModels",
                               "OctetQuant"]),
        .target(name: "COctetAPI"),
        .target(name: "OctetCAPI", dependencies: ["Octet", "COctetAPI", "OctetIR", "OctetData", "OctetQuant"],
                linkerSettings: [.unsafeFlags(["-Xlinker", "-soname=liboctet.so"])]),
        .executableTarget(
            name: "octet",
            dependencies: ["Octet", "OctetIR", "OctetFormats", "OctetData", "OctetPasses", "OctetCPU", "OctetCUDA",
                           "OctetModels", "OctetQuant", "OctetConformance"]),
        // Fuzz targets for every parser (Scripts/fuzz.sh builds it with -sanitize=fuzzer,address).
        .executableTarget(
            name: "octet-fuzz",
            dependencies: ["OctetIR", "OctetFormats", "OctetData", "OctetPasses", "OctetCPU", "OctetQuant"]),
        .testTarget(name: "OctetIRTests", dependencies: ["OctetIR", "OctetTestSupport"]),
        .testTarget(name: "OctetFormatsTests", dependencies: ["OctetFormats", "OctetTestSupport"]),
        .testTarget(name: "OctetDataTests", dependencies: ["OctetData", "OctetTestSupport"]),
        .testTarget(name: "OctetPassesTests", dependencies: ["Octet", "OctetPasses", "OctetCPU", "OctetFormats", "OctetTestSupport"]),
        .testTarget(name: "OctetCPUTests", dependencies: ["OctetCPU", "OctetFormats", "OctetTestSupport"]),
        .testTarget(name: "OctetModelsTests", dependencies: ["OctetModels", "OctetCPU", "OctetTestSupport"]),
        .testTarget(name: "OctetQuantTests",
                    dependencies: ["Octet", "OctetQuant", "OctetCPU", "OctetCPUKernels", "OctetFormats", "OctetPasses", "OctetTestSupport"]),
        .testTarget(name: "ConformanceTests",
                    dependencies: ["OctetConformance", "OctetFormats", "OctetCPU", "OctetPasses", "OctetTestSupport"],
                    exclude: ["KnownExceptions.txt", "ExpectedPasses.txt"]),
        .testTarget(name: "OctetCUDATests", dependencies: ["OctetCUDA", "CCUDA", "Octet", "OctetIR", "OctetCPU", "OctetFormats", "OctetQuant", "OctetConformance",
                                                          "OctetTestSupport"],
                    exclude: ["Emulation/cuda_host_emulation.h"]),
        .testTarget(name: "CLITests", dependencies: ["OctetFormats", "OctetTestSupport"]),
        .testTarget(name: "OctetLibraryTests",
                    dependencies: ["Octet", "OctetCAPI", "COctetAPI", "OctetIR", "OctetFormats", "OctetData", "OctetQuant",
                                   "OctetTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
