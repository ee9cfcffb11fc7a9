import Foundation
import OctetFormats
import OctetIR

/// Preprocessed `[N, 3, H, W]` float batches in `.npy` files: one file, or a folder of them read in
/// name order, with optional labels from `labels.npy` beside them (one per image).
public struct NPYDataset: Dataset {
    public let files: [String]
    public let labels: [Float]?
    public let path: String

    public init(path: String) throws(DataError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DataError("no such file or folder") }
        let folder = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.lowercased().hasSuffix(".npy") && $0 != "labels.npy" }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            guard !files.isEmpty else { throw DataError("no .npy batches in the folder") }
        } else {
            files = [path]
        }
        let labelsPath = (folder as NSString).appendingPathComponent("labels.npy")
        if FileManager.default.fileExists(atPath: labelsPath), labelsPath != path {
            do {
                let t = try NPY.read(path: labelsPath)
                guard t.rank == 1 else { throw DataError("labels.npy has shape \(t.shape), expected one label per image") }
                labels = t.floatValues()
            } catch let error as DataError {
                throw error
            } catch {
                throw DataError("labels.npy: \(error)")
            }
        } else {
            labels = nil
        }
    }

    /// Whether `path` is a folder holding `.npy` files.
    static func isBatchFolder(_ path: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.contains { $0.lowercased().hasSuffix(".npy") && $0 != "labels.npy" }
    }

    public var source: String { path }
    public var count: Int? { labels?.count }

    public func makeReader() throws(DataError) -> any SampleReader { Reader(dataset: self) }

    final class Reader: SampleReader {
        let dataset: NPYDataset
        var fileIndex = 0
        var batch: (file: String, shape: [Int], values: [Float])?
        var inBatch = 0
        var produced = 0

        init(dataset: NPYDataset) { self.dataset = dataset }

        func next() throws(DataError) -> Result<Sample, DataError>? {
            while batch == nil || inBatch == batch?.shape[0] {
                guard fileIndex < dataset.files.count else {
                    if let labels = dataset.labels, labels.count != produced {
                        throw DataError("labels.npy has \(labels.count) labels for \(produced) images")
                    }
                    return nil
                }
                let file = dataset.files[fileIndex]
                fileIndex += 1
                inBatch = 0
                batch = try load(file)
            }
            guard let batch else { return nil }
            let n = batch.shape
            let per = n[1] * n[2] * n[3]
            let values = Array(batch.values[(inBatch * per)..<((inBatch + 1) * per)])
            let label: [Float]
            if let labels = dataset.labels {
                guard produced < labels.count else {
                    throw DataError("labels.npy has \(labels.count) labels, the batches hold more images")
                }
                label = [labels[produced]]
            } else {
                label = []
            }
            let sample = Sample(content: .tensor(Tensor(shape: [1, n[1], n[2], n[3]], floats: values)), labels: label,
                                id: UInt64(produced), location: "\(batch.file): image \(inBatch)")
            inBatch += 1
            produced += 1
            return .success(sample)
        }

        private func load(_ file: String) throws(DataError) -> (file: String, shape: [Int], values: [Float]) {
            let tensor: Tensor
            do {
                tensor = try NPY.read(path: file)
            } catch {
                throw DataError("\(file): \(error)")
            }
            guard tensor.dtype == .f32, tensor.rank == 4 || tensor.rank == 3, tensor.shape[tensor.rank - 3] == 3 else {
                throw DataError("\(file): a \(tensor.dtype) tensor of shape \(tensor.shape); expected float [N, 3, H, W]")
            }
            let shape = tensor.rank == 4 ? tensor.shape : [1] + tensor.shape
            return (file, shape, tensor.floatValues())
        }
    }
}
