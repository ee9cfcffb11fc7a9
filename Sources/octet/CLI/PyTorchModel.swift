import OctetFormats
import OctetIR
import OctetModels

/// PyTorch weights bound to a named architecture of the model zoo.
enum PyTorchModel {
    static func build(path: String, arch: String, numClasses: Int?, stripPrefix: String?) throws -> Graph {
        let weights: StateDict
        do { weights = try PyTorchFile.load(path: path) } catch { throw InputError(path, error) }
        for note in weights.notes { printError("octet: note: \(note)") }
        do {
            return try ModelZoo.build(arch: arch, weights: weights, numClasses: numClasses, stripPrefix: stripPrefix)
        } catch {
            throw InputError(path, error)
        }
    }
}
