import OctetData
import OctetIR

/// One batch of preprocessed images and their labels (nil where the data has none).
struct LabelledBatch {
    var images: Tensor
    var labels: [Int?]
}

/// Batches from a `.rec`, an image folder or `.npy` file, preprocessed as the flags say.
/// CONTRACT STUB until the datasets land.
final class DataSource {
    let path: String
    /// Images the source will yield (after --limit), when known.
    private(set) var count: Int?
    private(set) var skipped = 0

    let size: Int

    init(_ path: String, preprocessing: Preprocessing, batch: Int, limit: Int?, skipBad: Bool, threads: Int) throws {
        self.path = path
        size = preprocessing.size
        throw InputError(path, "calibration data is not supported yet")
    }

    func next() throws -> LabelledBatch? { nil }
}

extension DataSource {
    /// Checks that the model takes one image input of a shape the preprocessing can produce.
    func checkFits(_ graph: Graph, file: String) throws {
        guard graph.inputs.count == 1 else {
            throw InputError(file, "the model has \(graph.inputs.count) inputs; calibration data feeds models with one image input")
        }
        let input = graph.inputs[0]
        if let shape = input.shape, shape.count == 4 {
            if let c = shape[1].value, c != 3 {
                throw InputError(file, "the model's input \"\(input.name)\" has \(c) channels; the images give 3")
            }
            if let h = shape[2].value, let w = shape[3].value, h != size || w != size {
                throw InputError(file, "the model's input \"\(input.name)\" is \(h)x\(w) but the images are cropped to "
                    + "\(size)x\(size); pass --size \(h)" + (h == w ? "" : " (non-square inputs are not supported)"))
            }
        } else if let shape = input.shape {
            throw InputError(file, "the model's input \"\(input.name)\" has rank \(shape.count); images give NCHW (rank 4)")
        }
    }
}
