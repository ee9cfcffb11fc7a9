import Foundation
import OctetData
import OctetFormats
import OctetIR

/// One batch of preprocessed images and their labels (nil where the data has none).
struct LabelledBatch {
    var images: Tensor
    var labels: [Int?]
}

/// Batches from a `.rec`, an image folder or a `.npy` file, preprocessed as the flags say.
///
/// A `.npy` holds already preprocessed NCHW float images; its labels, if any, are in `NAME.labels.npy`
/// (integers, one per image) beside it.
final class DataSource {
    let path: String
    let size: Int
    /// Images the source will yield (after --limit), when known.
    private(set) var count: Int?
    private(set) var skipped = 0
    private let batch: Int
    private var produced = 0
    private let limit: Int?
    private var npy: (images: Tensor, labels: [Int]?)?

    init(_ path: String, preprocessing: Preprocessing, batch: Int, limit: Int?, skipBad: Bool, threads: Int) throws {
        self.path = path
        self.size = preprocessing.size
        self.batch = batch
        self.limit = limit
        if path.lowercased().hasSuffix(".npy") {
            try openNPY()
        } else {
            throw InputError(path, "calibration data must be a .npy file in this build")
        }
    }

    private func openNPY() throws {
        let images: Tensor
        do { images = try NPY.read(path: path) } catch { throw InputError(path, error) }
        guard images.rank == 4, images.dtype == .f32 || images.dtype == .f16 else {
            throw InputError(path, "expected preprocessed images as a float32 [N, C, H, W] array, found "
                + "\(images.dtype.rawValue)\(images.shape)")
        }
        var labels: [Int]?
        let labelPath = String(path.dropLast(4)) + ".labels.npy"
        if FileManager.default.fileExists(atPath: labelPath) {
            let t: Tensor
            do { t = try NPY.read(path: labelPath) } catch { throw InputError(labelPath, error) }
            guard t.dtype.isInteger, t.count == images.shape[0] else {
                throw InputError(labelPath, "expected \(images.shape[0]) integer labels, found \(t.dtype.rawValue)\(t.shape)")
            }
            labels = t.int64Values().map { Int($0) }
        }
        npy = (images, labels)
        count = min(images.shape[0], limit ?? Int.max)
    }

    func next() throws -> LabelledBatch? {
        guard let npy else { return nil }
        let total = count ?? 0
        guard produced < total else { return nil }
        let n = min(batch, total - produced)
        let per = npy.images.count / max(npy.images.shape[0], 1)
        let values = npy.images.floatValues()
        let slice = Array(values[(produced * per)..<((produced + n) * per)])
        let labels: [Int?] = (produced..<(produced + n)).map { npy.labels?[$0] }
        produced += n
        return LabelledBatch(images: Tensor(shape: [n] + npy.images.shape.dropFirst(), floats: slice), labels: labels)
    }
}

extension DataSource {
    /// Checks that the model takes one image input of a shape the data can feed.
    func checkFits(_ graph: Graph, file: String) throws {
        guard graph.inputs.count == 1 else {
            throw InputError(file, "the model has \(graph.inputs.count) inputs; calibration data feeds models with one image input")
        }
        let input = graph.inputs[0]
        let dataShape = npy.map { Array($0.images.shape.dropFirst()) } ?? [3, size, size]
        guard let shape = input.shape else { return }
        guard shape.count == 4 else {
            throw InputError(file, "the model's input \"\(input.name)\" has rank \(shape.count); images give NCHW (rank 4)")
        }
        for (axis, name) in [(1, "channels"), (2, "height"), (3, "width")] {
            if let v = shape[axis].value, v != dataShape[axis - 1] {
                let hint = npy == nil && axis > 1 ? "; pass --size \(v)" : ""
                throw InputError(file, "the model's input \"\(input.name)\" has \(name) \(v), the data gives "
                    + "\(dataShape[axis - 1])\(hint)")
            }
        }
    }
}
