import OctetIR

// CONTRACT STUB (replaced by the preprocessing work).

/// How an image becomes a model input: resize the shorter side, center crop, normalise, NCHW float.
public struct Preprocessing: Sendable, Equatable {
    /// Normalisations of common training recipes; all RGB.
    public enum Preset: String, Sendable, CaseIterable {
        case torch, mxnet, tf, none
    }

    /// Target of the shorter side before cropping.
    public var resize: Int
    /// Side of the square center crop.
    public var size: Int
    public var mean: [Float]
    public var std: [Float]

    public init(preset: Preset = .torch, size: Int = 224, resize: Int? = nil) {
        self.size = size
        self.resize = resize ?? Int((Double(size) * 256 / 224).rounded())
        switch preset {
        case .torch: (mean, std) = ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375])
        case .mxnet: (mean, std) = ([123.68, 116.779, 103.939], [58.393, 57.12, 57.375])
        case .tf: (mean, std) = ([127.5, 127.5, 127.5], [127.5, 127.5, 127.5])
        case .none: (mean, std) = ([0, 0, 0], [1, 1, 1])
        }
    }

    /// The image as a `[1, 3, size, size]` float tensor.
    public func apply(_ image: Image) throws -> Tensor {
        throw DataError("preprocessing is not implemented yet")
    }
}
