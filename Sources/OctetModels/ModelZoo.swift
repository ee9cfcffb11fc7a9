import OctetFormats
import OctetIR

/// The architectures `octet convert --arch NAME` knows, by name.
public enum ModelZoo {
    /// Every architecture, in the order `--help` lists them.
    public static let all: [any Architecture] = [
        ResNet.resnet18, ResNet.resnet34, ResNet.resnet50, MobileNetV2(),
        EfficientNetLite.lite0, EfficientNetLite.lite1, EfficientNetLite.lite2,
    ]

    /// The names `--arch` accepts (`efficientnet-lite0` is accepted for `efficientnet_lite0` too).
    public static var names: [String] { all.map(\.name) }

    /// The architecture called `name`, ignoring case and `-` versus `_`.
    public static func architecture(named name: String) throws -> any Architecture {
        let wanted = name.lowercased().replacingOccurrences(of: "-", with: "_")
        guard let arch = all.first(where: { $0.name == wanted }) else {
            throw ModelError("unknown architecture \"\(name)\" (known: \(names.joined(separator: ", ")))")
        }
        return arch
    }

    /// Binds `weights` to architecture `arch` and returns the float graph `input` -> `logits`.
    ///
    /// Keys are unwrapped first (`KeyPrefix`): `stripPrefix` when given, else the prefix inferred.
    /// `numClasses`, when given, must match the classifier's weight.
    public static func build(arch: String, weights: StateDict, numClasses: Int? = nil,
                             stripPrefix: String? = nil) throws -> Graph {
        let architecture = try architecture(named: arch)
        let expected = architecture.expectedParameters().map(\.key)
        let mapping = try KeyPrefix.resolve(weights, expected: expected, explicit: stripPrefix)
        do {
            return try architecture.build(weights: mapping.apply(to: weights), numClasses: numClasses)
        } catch let error as ModelError where !mapping.prefix.isEmpty {
            throw ModelError("\(error.message) (keys read without the prefix \"\(mapping.prefix)\")")
        }
    }

    /// `build` for weights given as ordered (key, tensor) pairs.
    public static func build(arch: String, weights: [(String, Tensor)], numClasses: Int? = nil,
                             stripPrefix: String? = nil) throws -> Graph {
        try build(arch: arch, weights: StateDict(entries: weights.map { (key: $0.0, tensor: $0.1) }),
                  numClasses: numClasses, stripPrefix: stripPrefix)
    }
}
