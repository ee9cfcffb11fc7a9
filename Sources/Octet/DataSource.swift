import Foundation
import OctetData
import OctetIR

/// One batch of preprocessed images and their labels (nil where the data has none).
public struct LabelledBatch: Sendable {
    public var images: Tensor
    public var labels: [Int?]
}

/// Batches from a `.rec`, an image folder, an image list or a `.npy` file, preprocessed as the flags say.
///
/// A `.npy` holds already preprocessed NCHW float images; its labels, if any, are in `NAME.labels.npy`.
public final class DataSource {
    public let path: String
    /// The image shape the batches have ([C, H, W]).
    public let imageShape: [Int]
    private let stream: BatchStream
    private let isPreprocessed: Bool

    public init(_ path: String, preprocessing: Preprocessing, batch: Int, limit: Int?, skipBad: Bool, threads: Int,
         progress: ((BatchProgress) -> Void)? = nil) throws {
        self.path = path
        do {
            let dataset = try Datasets.open(path: path)
            isPreprocessed = dataset is NPYDataset
            stream = try BatchStream(dataset: dataset, preprocessing: preprocessing, batchSize: batch, limit: limit,
                                     skipBad: skipBad, threads: threads, progress: progress)
            imageShape = stream.imageShape
        } catch {
            throw InputError(path, error)
        }
    }

    /// Images the source will yield (after --limit), when known.
    public var count: Int? { stream.total }
    public var skipped: Int { stream.skipped.count }
    public var skippedMessages: [String] { stream.skipped }

    public func next() throws -> LabelledBatch? {
        do {
            guard let b = try stream.next() else { return nil }
            return LabelledBatch(images: b.input, labels: b.classIndices)
        } catch {
            throw InputError(path, error)
        }
    }
}

extension DataSource {
    /// Checks that the model takes one image input of a shape the data can feed, and has an output to read.
    public func checkFits(_ graph: Graph, file: String) throws {
        guard graph.inputs.count == 1 else {
            throw InputError(file, "the model has \(graph.inputs.count) inputs; image data feeds models with one image input")
        }
        guard !graph.outputs.isEmpty else {
            throw InputError(nil, "the model declares no graph outputs: there is nothing to read its answer from")
        }
        let input = graph.inputs[0]
        guard let shape = input.shape else { return }
        guard shape.count == 4, imageShape.count == 3 else {
            throw InputError(file, "the model's input \"\(input.name)\" has rank \(shape.count); images give NCHW (rank 4)")
        }
        for (axis, name) in [(1, "channels"), (2, "height"), (3, "width")] {
            if let v = shape[axis].value, v != imageShape[axis - 1] {
                let hint = !isPreprocessed && axis > 1 ? "; pass --size \(v)" : ""
                throw InputError(file, "the model's input \"\(input.name)\" has \(name) \(v), the data gives "
                    + "\(imageShape[axis - 1])\(hint)")
            }
        }
    }
}
