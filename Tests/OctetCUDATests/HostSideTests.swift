import CCUDA
import Foundation
import OctetIR
import OctetTestSupport
import XCTest
@testable import OctetCUDA

/// The CUDA backend's host logic, none of which needs a GPU: finding nvcc and the kernels, cache keys,
/// kernel signatures, the memory plan, launch geometry, argument passing, and the errors a machine without
/// CUDA gives.
final class HostSideTests: XCTestCase {
    func testNVCCIsFoundInTheDocumentedOrder() throws {
        let all: Set<String> = ["/explicit/nvcc", "/cuda/bin/nvcc", "/a/nvcc", "/b/nvcc", "/usr/local/cuda/bin/nvcc"]
        let exists = { (p: String) in all.contains(p) }
        XCTAssertEqual(try NVCC.locate(environment: ["OCTET_NVCC": "/explicit/nvcc", "CUDA_HOME": "/cuda"], isExecutable: exists),
                       "/explicit/nvcc")
        XCTAssertEqual(try NVCC.locate(environment: ["CUDA_HOME": "/cuda", "PATH": "/a:/b"], isExecutable: exists), "/cuda/bin/nvcc")
        XCTAssertEqual(try NVCC.locate(environment: ["PATH": "/x:/b:/a"], isExecutable: exists), "/b/nvcc")
        XCTAssertEqual(try NVCC.locate(environment: [:], isExecutable: exists), "/usr/local/cuda/bin/nvcc")
        XCTAssertThrowsError(try NVCC.locate(environment: ["PATH": "/x"], isExecutable: { _ in false })) { e in
            XCTAssertTrue("\(e)".contains("OCTET_NVCC"), "\(e)")
        }
        // An OCTET_NVCC that names nothing is an error, not a reason to look elsewhere.
        XCTAssertThrowsError(try NVCC.locate(environment: ["OCTET_NVCC": "/missing", "PATH": "/a"], isExecutable: exists)) { e in
            XCTAssertTrue("\(e)".contains("/missing"), "\(e)")
        }
    }

    func testNVCCCommandLineBuildsACubinForTheDeviceArchitecture() {
        let args = NVCC.arguments(source: "k.cu", output: "k.cubin", architecture: "sm_90", includeDirectory: "/K")
        XCTAssertEqual(args, ["-cubin", "-gencode=arch=compute_90,code=sm_90", "-O3", "-fmad=false", "-std=c++17",
                              "-I", "/K", "-o", "k.cubin", "k.cu"])
        XCTAssertTrue(NVCC.arguments(source: "k.cu", output: "o", architecture: "sm_89", includeDirectory: "/K")
            .contains("-gencode=arch=compute_89,code=sm_89"))
        XCTAssertEqual(NVCC.parseVersion("nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 13.5, V13.5.37\n"), "13.5")
        XCTAssertNil(NVCC.parseVersion("command not found"))
    }

    func testCacheKeyCoversSourceHeadersArchitectureAndCompiler() {
        func key(_ text: String = "k", _ headers: [String] = ["h"], _ arch: String = "sm_90", _ version: String = "13.0") -> String {
            KernelCache.fileName(source: "conv_int8.cu", text: text, headers: headers, architecture: arch, nvccVersion: version)
        }
        XCTAssertEqual(key(), key())
        XCTAssertTrue(key().hasPrefix("conv_int8-sm_90-") && key().hasSuffix(".cubin"), key())
        let variants = [key("k2"), key("k", ["h2"]), key("k", ["h", ""]), key("k", ["h"], "sm_80"), key("k", ["h"], "sm_90", "13.5")]
        XCTAssertEqual(Set(variants + [key()]).count, variants.count + 1, "\(variants)")
        // Stable across processes (Swift's Hasher is not): a cached cubin is found again by the next run.
        XCTAssertEqual(key(), "conv_int8-sm_90-" + (key().split(separator: "-").last!.prefix(32)) + ".cubin")
        var h = StableHash()
        h.add("abc")
        XCTAssertEqual(h.hex, "c11ab6d2519bc2b27f5201ce600904da", "the hash changed: every user's kernel cache would be rebuilt")
    }

    func testKernelSignaturesAreReadFromTheSources() throws {
        let source = """
            // extern "C" __global__ void commented_out(int x);
            extern "C" __global__ void octet_a(const unsigned char* x, /* flag */ int is_signed,
                                               long long n, float ratio, void* y) {}
            extern "C" __global__ void octet_b() {}
            """
        let kernels = try KernelSources.kernels(in: source, file: "t.cu")
        XCTAssertEqual(kernels.map(\.name), ["octet_a", "octet_b"], "a kernel in a comment is not a kernel")
        let a = try XCTUnwrap(kernels.first { $0.name == "octet_a" })
        XCTAssertEqual(a.parameters, [.pointer, .int32, .int64, .float, .pointer])
        XCTAssertEqual(kernels.first { $0.name == "octet_b" }?.parameters, [])
        XCTAssertThrowsError(try KernelSources.kernels(in: "extern \"C\" __global__ void k(double d) {}", file: "t.cu")) { e in
            XCTAssertTrue("\(e)".contains("double d"), "\(e)")
        }
    }

    /// Every kernel the lowering launches exists in Kernels/ with the argument types the lowering passes.
    func testEveryPlannedLaunchMatchesItsKernelSignature() throws {
        let sources = try KernelSources(directory: Paths.root.appendingPathComponent("Kernels").path)
        XCTAssertGreaterThanOrEqual(sources.files.count, 17)
        let dir = Paths.fixture("int8")
        var launched = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            let plan = try plannedFixture(dir.appendingPathComponent(name + "/model.qoperator.onnx"))
            for l in plan.launches {
                XCTAssertNotNil(sources.files[l.kernel], "\(name): no kernel \(l.kernel)")
                XCTAssertNoThrow(try CUDAProgram.checkArguments(l, against: sources.parameters[l.kernel] ?? []), name)
                launched.insert(l.kernel)
            }
        }
        XCTAssertTrue(launched.isSuperset(of: ["octet_conv2d_int8", "octet_qlinear_add", "octet_matmul_int8",
                                               "octet_qlinear_global_avgpool", "octet_quantize_f32", "octet_dequantize"]),
                      "\(launched.sorted())")
        var wrong = PlannedLaunch(kernel: "octet_qlinear_add", work: 1, arguments: [.int32(1)], node: "n")
        XCTAssertThrowsError(try CUDAProgram.checkArguments(wrong, against: sources.parameters[wrong.kernel]!)) { e in
            XCTAssertTrue("\(e)".contains("octet_qlinear_add takes (pointer, pointer, pointer, long long"), "\(e)")
        }
        wrong.arguments = []
        XCTAssertThrowsError(try CUDAProgram.checkArguments(wrong, against: sources.parameters[wrong.kernel]!))
    }

    private func plannedFixture(_ url: URL) throws -> ProgramPlan {
        let graph = try FixtureLoading.realized(url)
        return try CUDABackend.plan(graph, inputShapes: Dictionary(uniqueKeysWithValues: graph.inputs.map {
            ($0.name, $0.shape!.map { $0.value ?? 2 })
        }))
    }

    func testKernelsAreFoundBesideTheBinaryOrInThePackage() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("octet-kernels-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("pkg/.build/release")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("pkg/Kernels"), withIntermediateDirectories: true)
        try "".write(to: root.appendingPathComponent("pkg/Package.swift"), atomically: true, encoding: .utf8)
        try "".write(to: root.appendingPathComponent("pkg/Kernels/a.cu"), atomically: true, encoding: .utf8)
        let exe = bin.appendingPathComponent("octet").path
        XCTAssertEqual(try KernelSources.locate(environment: [:], executable: exe, currentDirectory: "/nowhere"),
                       root.appendingPathComponent("pkg/Kernels").path)
        try FileManager.default.createDirectory(at: bin.appendingPathComponent("Kernels"), withIntermediateDirectories: true)
        try "".write(to: bin.appendingPathComponent("Kernels/b.cu"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try KernelSources.locate(environment: [:], executable: exe, currentDirectory: "/nowhere"),
                       bin.appendingPathComponent("Kernels").path, "beside the executable comes first")
        XCTAssertThrowsError(try KernelSources.locate(environment: ["OCTET_KERNELS": "/nowhere"], executable: exe)) { e in
            XCTAssertTrue("\(e)".contains("OCTET_KERNELS"), "\(e)")
        }
        XCTAssertThrowsError(try KernelSources.locate(environment: [:], executable: "/nowhere/octet", currentDirectory: "/nowhere"))
    }

    func testMemoryPlanSharesBytesOnlyBetweenValuesThatAreNeverAliveTogether() {
        let requests = [MemoryPlan.Request(bytes: 1000, first: 0, last: 1), MemoryPlan.Request(bytes: 500, first: 1, last: 2),
                        MemoryPlan.Request(bytes: 1000, first: 2, last: 3), MemoryPlan.Request(bytes: 10, first: -1, last: 4)]
        let plan = MemoryPlan(requests)
        func overlap(_ i: Int, _ j: Int) -> Bool {
            let a = plan.offsets[i]..<(plan.offsets[i] + requests[i].bytes), b = plan.offsets[j]..<(plan.offsets[j] + requests[j].bytes)
            return a.overlaps(b)
        }
        for i in requests.indices {
            XCTAssertEqual(plan.offsets[i] % MemoryPlan.alignment, 0)
            for j in requests.indices where i < j {
                let together = requests[i].first <= requests[j].last && requests[j].first <= requests[i].last
                if together { XCTAssertFalse(overlap(i, j), "values \(i) and \(j) are alive together and share bytes") }
            }
        }
        XCTAssertTrue(overlap(0, 2), "the first and third are never alive together: they should share")
        XCTAssertLessThan(plan.totalBytes, 1024 + 512 + 1024 + 256)

        let checked = MemoryPlan(requests, reuse: false, guardBytes: 64)
        for i in requests.indices {
            for j in requests.indices where i != j {
                let a = checked.offsets[i]..<(checked.offsets[i] + requests[i].bytes + 64)
                XCTAssertFalse(a.contains(checked.offsets[j]), "a checked run gives each value its own bytes and guard")
            }
        }
    }

    func testLaunchGeometryCoversTheWorkAndStopsAtAFullGPU() {
        XCTAssertEqual(LaunchGeometry.elementwise(1000, multiprocessors: 132).grid.x, 4)
        XCTAssertEqual(LaunchGeometry.elementwise(1000, multiprocessors: 132).block.x, 256)
        XCTAssertEqual(LaunchGeometry.elementwise(1, multiprocessors: 132).grid.x, 1)
        XCTAssertEqual(LaunchGeometry.elementwise(1 << 30, multiprocessors: 132).grid.x, 132 * 32)
    }

    func testArgumentsArePassedAsEightByteSlotsInOrder() {
        let buffer = KernelArgumentBuffer([.int32(-2), .int64(1 << 40), .float(1.5), .pointer(0xDEAD_BEEF)])
        XCTAssertEqual(buffer.count, 4)
        XCTAssertEqual(buffer.pointers[0]!.load(as: Int32.self), -2)
        XCTAssertEqual(buffer.pointers[1]!.load(as: Int64.self), 1 << 40)
        XCTAssertEqual(buffer.pointers[2]!.load(as: Float.self), 1.5)
        XCTAssertEqual(buffer.pointers[3]!.load(as: UInt64.self), 0xDEAD_BEEF)
    }

    func testALibraryThatIsNotTheDriverIsAClearError() {
        var message = [CChar](repeating: 0, count: 512)
        XCTAssertEqual(ccuda_open("/nonexistent/libcuda.so.1", &message, message.count), -1)
        XCTAssertTrue(String(cString: message).contains("cannot open /nonexistent/libcuda.so.1"), String(cString: message))
        // libm opens but has no driver entry points.
        XCTAssertEqual(ccuda_open("libm.so.6", &message, message.count), -1)
        XCTAssertTrue(String(cString: message).contains("has no entry point cuInit"), String(cString: message))
        XCTAssertEqual(ccuda_init(0), -1, "no call reaches a driver that failed to open")
    }

    func testWithoutADriverTheCUDATargetSaysSoAndNeverFallsBack() throws {
        if (try? Driver.open()) != nil { throw XCTSkip("SKIPPED: this machine has a CUDA driver") }
        let graph = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1)])],
                          outputs: [ValueInfo(name: "y", dtype: .f32, shape: [.fixed(1)])],
                          nodes: [Node(name: "r", op: .unary(.relu), inputs: ["x"], outputs: ["y"])])
        XCTAssertThrowsError(try CUDABackend().compile(graph)) { e in
            XCTAssertTrue("\(e)".hasPrefix("CUDA driver unavailable") || "\(e)".hasPrefix("no CUDA device"), "\(e)")
            XCTAssertTrue("\(e)".contains("--target cpu") || "\(e)".contains("GPU"), "\(e)")
        }
    }

    func testOpsWithoutAKernelAreAllNamedBeforeTheGPUIsOpened() {
        let graph = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(2)])],
                          outputs: [ValueInfo(name: "z", dtype: .u8, shape: [.fixed(2)])],
                          nodes: [Node(name: "dq", op: .dynamicQuantizeLinear, inputs: ["x"], outputs: ["y", "s", "zp"]),
                                  Node(name: "t", op: .cast(to: .f32), inputs: ["y"], outputs: ["z"])])
        XCTAssertThrowsError(try CUDABackend().compile(graph)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("2 node(s) have no CUDA kernel"), text)
            XCTAssertTrue(text.contains("\"dq\"") && text.contains("\"t\"") && text.contains("--target cpu"), text)
        }
    }

    func testTheReportNamesEveryNodeWithoutAKernel() {
        let graph = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(2)])],
                          outputs: [ValueInfo(name: "z", dtype: .f32, shape: [.fixed(2)])],
                          nodes: [Node(name: "t", op: .cast(to: .f32), inputs: ["x"], outputs: ["y"]),
                                  Node(name: "r", op: .unary(.relu), inputs: ["y"], outputs: ["z"])])
        let text = CUDABackend().report(graph, inputShapes: ["x": [2]])
        XCTAssertTrue(text.hasPrefix("cuda: 1 of 2 nodes have no CUDA kernel:\n  t: Cast has no CUDA kernel yet"), text)
        var relu = graph
        relu.nodes = [Node(name: "r", op: .unary(.relu), inputs: ["x"], outputs: ["z"])]
        XCTAssertTrue(CUDABackend().report(relu, inputShapes: ["x": [2]]).contains("1 launches (octet_unary_f32 ×1)"))
    }

    /// With an nvcc (OCTET_NVCC, CUDA_HOME or PATH), a kernel compiles to a cubin once and is then read from
    /// the cache without running nvcc.
    func testKernelsCompileOnceAndAreThenReadFromTheCache() throws {
        guard let nvcc = try? NVCC.find() else { throw XCTSkip("SKIPPED: no nvcc (set OCTET_NVCC to compile the kernels here)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-cache-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = KernelCache(directory: dir)
        let sources = try KernelSources(directory: Paths.root.appendingPathComponent("Kernels").path)
        let cubin = try cache.cubin("qlinear.cu", in: sources, architecture: "sm_90") { () throws(CUDAError) -> NVCC in nvcc }
        XCTAssertEqual(Array(cubin.prefix(4)), [0x7F, 0x45, 0x4C, 0x46], "a cubin is an ELF file")
        let again = try cache.cubin("qlinear.cu", in: sources, architecture: "sm_90") { () throws(CUDAError) -> NVCC in
            NVCC(path: "/nonexistent/nvcc", version: nvcc.version)
        }
        XCTAssertEqual(again, cubin)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".cubin") }.count, 1)
    }
}
