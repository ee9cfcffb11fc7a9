import Foundation
import OctetIR

/// One item of a dataset: an encoded image or a ready tensor, with its labels and id.
public struct Sample: Sendable {
    public enum Content: Sendable {
        /// Encoded image bytes (JPEG), decoded and preprocessed by `BatchStream`.
        case encoded([UInt8])
        /// An already preprocessed `[1, 3, H, W]` float tensor.
        case tensor(Tensor)
    }

    public var content: Content
    /// The labels (the class index first); empty when the dataset has none.
    public var labels: [Float]
    public var id: UInt64
    /// Where the sample is, for messages: `record 5 at byte 1234` or an image path.
    public var location: String

    public init(content: Content, labels: [Float], id: UInt64, location: String) {
        self.content = content
        self.labels = labels
        self.id = id
        self.location = location
    }

    /// The first label as a class index, when it is a whole number.
    public var classIndex: Int? {
        guard let first = labels.first, first.isFinite, first >= 0, first < 1e9, first == first.rounded() else { return nil }
        return Int(first)
    }
}

/// A source of labelled images for calibration and evaluation: a `.rec`, a folder, `.npy` batches.
public protocol Dataset {
    /// What the dataset reads, for messages.
    var source: String { get }
    /// The number of samples, when known without reading them all.
    var count: Int? { get }
    /// A fresh pass over the samples in order.
    func makeReader() throws(DataError) -> any SampleReader
}

/// One pass over a dataset.
public protocol SampleReader: AnyObject {
    /// The next sample, or the error of one bad sample (reading can go on), or nil at the end.
    /// Throws when the data cannot be read any further (a broken file structure).
    func next() throws(DataError) -> Result<Sample, DataError>?
}

/// Opening a dataset from a command-line path.
public enum Datasets {
    /// `.rec` (with its `.idx` when beside it), `.npy`, `.lst` or `.tsv` image lists, or a folder: of
    /// `.npy` batches, of class sub-folders, or of images with a `labels.tsv`.
    public static func open(path: String) throws(DataError) -> any Dataset {
        switch (path as NSString).pathExtension.lowercased() {
        case "rec": return try RecordIODataset(path: path)
        case "npy": return try NPYDataset(path: path)
        case "lst", "tsv": return try FolderDataset(list: ImageList.load(path: path))
        default:
            if NPYDataset.isBatchFolder(path) { return try NPYDataset(path: path) }
            return try FolderDataset(list: ImageList.load(path: path))
        }
    }
}
