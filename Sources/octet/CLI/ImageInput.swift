import Foundation
import Octet
import OctetData
import OctetIR

/// An image file given as a model input: decoded, then preprocessed to the input's shape.
enum ImageInput {
    static let extensions: Set<String> = ["jpg", "jpeg"]

    static func isImage(_ path: String) -> Bool {
        extensions.contains((path as NSString).pathExtension.lowercased())
    }

    static func load(_ path: String, options: PreprocessOptions, for input: ValueInfo) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path, "cannot read the file")
        }
        let image: Image
        do {
            image = try JPEG.decode([UInt8](data))
        } catch {
            throw InputError(path, error)
        }
        var preprocessing = options.preprocessing
        // A model with a fixed square input decides the crop size unless the user said otherwise.
        if let shape = input.staticShape, shape.count == 4, shape[2] == shape[3], shape[2] != preprocessing.size {
            throw InputError(path, "the model's input \"\(input.name)\" is \(shape[2])x\(shape[3]); "
                + "pass --size \(shape[2])")
        }
        do {
            let tensor = try preprocessing.apply(image)
            preprocessing.size = tensor.shape.last ?? preprocessing.size
            return tensor
        } catch {
            throw InputError(path, error)
        }
    }
}
