import Foundation
import OctetFormats
import OctetIR

/// Preprocessed `[N, 3, H, W]` float images in `.npy` files: one file, or a folder of them read in name
/// order. The labels of `X.npy`, if any, are in `X.labels.npy` beside it (one number per image).
public struct NPYDataset: Dataset {
    public let path: String
    /// The batch files in reading order.
    public let files: [String]
    /// The first file, read when opened: it gives the image shape (and the count of a single file);
    /// the rest of a folder is read one file at a time.
    private let first: Batch

    struct Batch: Sendable {
        var file: String
        var shape: [Int]
        var values: [Float]
        var labels: [Float]?
    }

    public init(path: String) throws(DataError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DataError("no such file or folder") }
        if isDirectory.boolValue {
            files = Self.batchFiles(in: path)
            guard !files.isEmpty else { throw DataError("no .npy files in the folder") }
        } else {
            files = [path]
        }
        first = try Self.load(files[0])
    }

    /// `[3, H, W]` of every image (the first file's; later files must agree).
    public var imageShape: [Int] { Array(first.shape.dropFirst()) }

    static func batchFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.lowercased().hasSuffix(".npy") && !$0.lowercased().hasSuffix(".labels.npy") }.sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    /// Whether `path` is a folder holding `.npy` files.
    static func isBatchFolder(_ path: String) -> Bool { !batchFiles(in: path).isEmpty }

    public var source: String { path }
    public var count: Int? { files.count == 1 ? first.shape[0] : nil }

    public func makeReader() throws(DataError) -> any SampleReader { Reader(dataset: self) }

    static func load(_ file: String) throws(DataError) -> Batch {
        let tensor = try read(file)
        guard tensor.dtype == .f32 || tensor.dtype == .f16, tensor.rank == 4, tensor.shape[1] == 3 else {
            throw DataError("\(file): a \(tensor.dtype) tensor of shape \(tensor.shape); expected float [N, 3, H, W]")
        }
        var labels: [Float]?
        let labelFile = String(file.dropLast(4)) + ".labels.npy"
        if FileManager.default.fileExists(atPath: labelFile) {
            let t = try read(labelFile)
            guard t.rank == 1, t.count == tensor.shape[0] else {
                throw DataError("\(labelFile): shape \(t.shape); expected \(tensor.shape[0]) labels, one per image")
            }
            labels = t.floatValues()
        }
        return Batch(file: file, shape: tensor.shape, values: tensor.floatValues(), labels: labels)
    }

    private static func read(_ file: String) throws(DataError) -> Tensor {
        do {
            return try NPY.read(path: file)
        } catch {
            throw DataError("\(file): \(error)")
        }
    }

    final class Reader: SampleReader {
        let dataset: NPYDataset
        var fileIndex = 0
        var batch: Batch?
        var inBatch = 0
        var produced = 0

        init(dataset: NPYDataset) { self.dataset = dataset }

        func next() throws(DataError) -> Result<Sample, DataError>? {
            while batch == nil || inBatch == batch?.shape[0] {
                guard fileIndex < dataset.files.count else { return nil }
                if fileIndex == 0 {
                    batch = dataset.first
                } else {
                    let next = try NPYDataset.load(dataset.files[fileIndex])
                    guard next.shape.dropFirst() == dataset.first.shape.dropFirst() else {
                        throw DataError("\(next.file): images of shape \(Array(next.shape.dropFirst())), "
                            + "\(dataset.files[0]) has \(dataset.imageShape)")
                    }
                    batch = next
                }
                fileIndex += 1
                inBatch = 0
            }
            guard let batch else { return nil }
            let per = batch.shape[1] * batch.shape[2] * batch.shape[3]
            let values = Array(batch.values[(inBatch * per)..<((inBatch + 1) * per)])
            let sample = Sample(content: .tensor(Tensor(shape: [1] + batch.shape.dropFirst(), floats: values)),
                                labels: batch.labels.map { [$0[inBatch]] } ?? [], id: UInt64(produced),
                                location: "\(batch.file): image \(inBatch)")
            inBatch += 1
            produced += 1
            return .success(sample)
        }
    }
}
