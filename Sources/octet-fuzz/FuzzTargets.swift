import Foundation
import OctetCPU
import OctetData
import OctetFormats
import OctetIR
import OctetPasses
import OctetQuant

/// The parsers a stranger's file reaches, each as a function of the file's bytes. A target must never
/// crash, hang or allocate without bound on any input: errors are the expected outcome and are ignored.
enum FuzzTargets {
    struct Target: Sendable {
        let name: String
        let summary: String
        let run: @Sendable ([UInt8]) -> Void
    }

    static let all: [Target] = [
        Target(name: "onnx", summary: "ONNX model bytes through import, shape inference and the verifier") { bytes in
            guard let graph = try? ONNXImporter.decode(bytes).graph else { return }
            _ = try? graph.inferringShapes().verify()
        },
        Target(name: "onnx-pipeline", summary: "an importable ONNX model through canonicalize and CPU compile") { bytes in
            guard let graph = try? ONNXImporter.decode(bytes).graph,
                  let canonical = try? Canonicalize(evaluator: CPUBackend(threads: 1)).run(graph),
                  let shaped = try? canonical.inferringShapes(), (try? shaped.verify()) != nil else { return }
            _ = try? CPUBackend(threads: 1).compile(shaped)
        },
        Target(name: "onnx-tensor", summary: "a TensorProto file (.pb)") { bytes in
            _ = try? ONNXTensorFile.decode(bytes)
        },
        Target(name: "pytorch", summary: "torch.save / torch.jit.save files: zip archives, legacy pickles") { bytes in
            _ = try? PyTorchFile.decode(bytes)
        },
        Target(name: "jpeg", summary: "JPEG decoding (baseline, progressive, restart markers)") { bytes in
            _ = try? JPEG.decode(bytes)
        },
        Target(name: "recordio", summary: "a RecordIO .rec file: records, their image headers, and the summary") { bytes in
            let path = scratchFile(bytes, suffix: ".rec")
            if let reader = try? RecordIOReader(path: path) {
                while let record = try? reader.next() { _ = try? IRHeader.unpack(record.payload) }
            }
            _ = try? RecordIOSummary(path: path)
        },
        Target(name: "recordio-index", summary: "a RecordIO .idx file") { bytes in
            _ = try? RecordIOIndex.parse(bytes)
        },
        Target(name: "npy", summary: "a NumPy .npy file") { bytes in
            _ = try? NPY.decode(bytes)
        },
        Target(name: "scales", summary: "a --load-scales JSON file") { bytes in
            _ = try? ScaleFile.decode(Data(bytes))
        },
    ]

    /// Readers that take a path get the input through one file per process, rewritten for each input.
    static func scratchFile(_ bytes: [UInt8], suffix: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("octet-fuzz-\(getpid())\(suffix)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}
