import Foundation
import OctetTestSupport
import Testing

/// `--target cuda` on a machine that cannot run it: one clear error, exit 1, and never a CPU run instead.
@Suite(.serialized) struct CUDATargetTests {
    /// Whether this machine has the NVIDIA driver; there the GPU itself is checked by Scripts/gpu-check.sh.
    static var hasDriver: Bool {
        ["/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib64/libcuda.so.1", "/usr/local/nvidia/lib64/libcuda.so.1"]
            .contains { FileManager.default.fileExists(atPath: $0) }
    }

    @Test func everyCommandSaysWhatIsMissing() throws {
        if Self.hasDriver {
            print("SKIPPED: this machine has a CUDA driver (Scripts/gpu-check.sh checks the GPU)")
            return
        }
        let commands: [[String]] = [
            ["bench", "Fixtures/mobilenet_v2.onnx", "--target", "cuda", "--repeat", "2"],
            ["run", "Fixtures/mobilenet_v2.onnx", "--target", "cuda", "--input", "Fixtures/photos/n01514668_cock.JPEG"],
            ["test-ops", "--target", "cuda", "--op", "QLinearAdd"],
            ["eval", "Fixtures/mobilenet_v2.onnx", "--data", "Fixtures/rec/dev8.rec", "--target", "cuda"],
        ]
        for args in commands {
            let r = try runOctet(args)
            #expect(r.status == 1, "\(args): \(r.stdout) \(r.stderr)")
            #expect(r.stderr.contains("CUDA driver unavailable") && r.stderr.contains("--target cpu"), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("Execution time summary") && !r.stdout.contains("PASS") && !r.stdout.contains("top-1"),
                    "\(args) ran anyway: \(r.stdout)")
        }
    }
}

/// `octet inspect --target cuda` answers "does my model run on the GPU" on any machine.
@Suite struct InspectForCUDATests {
    @Test func anInt8ModelLowersToLaunchesWithoutAGPU() throws {
        let r = try runOctet(["inspect", "Fixtures/int8/conv3x3_s2_uint8/model.onnx", "--target", "cuda", "--batch", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("cuda: every node has a kernel; one run at "), "\(r.stdout)")
        #expect(r.stdout.contains("octet_conv2d_int8 ×1") && !r.stdout.contains("octet_requantize_i32"),
                "the Requantize runs in the conv's epilogue: \(r.stdout)")
    }
}
