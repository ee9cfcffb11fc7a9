import Dispatch
import Foundation
import OctetIR

/// A batch of preprocessed images: `[n] + imageShape` floats with each image's labels and id.
public struct Batch: Sendable {
    public var input: Tensor
    /// Per image, its labels (the class index first; empty when the dataset has none).
    public var labels: [[Float]]
    public var ids: [UInt64]

    public var count: Int { ids.count }

    /// Per image, the first label as a class index when it is a whole number.
    public var classIndices: [Int?] {
        labels.map { Sample(content: .encoded([]), labels: $0, id: 0, location: "").classIndex }
    }
}

/// How far a `BatchStream` has got, for a progress bar.
public struct BatchProgress: Sendable, Equatable {
    /// Images delivered in batches so far.
    public var done: Int
    /// Images the stream will deliver when known (the dataset's count, capped by the limit).
    public var total: Int?
    /// Bad records skipped so far.
    public var skipped: Int

    public init(done: Int, total: Int?, skipped: Int) {
        self.done = done
        self.total = total
        self.skipped = skipped
    }
}

/// Reads a dataset, decodes and preprocesses its images on all cores, and yields NCHW batches.
///
/// A bad record (broken image header, undecodable image) stops the stream with its location, or with
/// `skipBad` is counted in `skipped` and left out. A broken file structure always stops it.
public final class BatchStream {
    public let dataset: any Dataset
    public let preprocessing: Preprocessing
    public let batchSize: Int
    public let limit: Int?
    public let skipBad: Bool
    public let threads: Int
    /// `[C, H, W]` of every image: a `.npy` dataset's own (already preprocessed, any height and width),
    /// else `[3, size, size]` from the preprocessing's crop.
    public let imageShape: [Int]
    /// `source: location: what` of each record left out.
    public private(set) var skipped: [String] = []
    public private(set) var delivered = 0

    private let reader: any SampleReader
    private let progress: ((BatchProgress) -> Void)?
    private var finished = false
    /// A broken file structure met while reading ahead, thrown once the images before it are delivered.
    private var fatal: DataError?
    /// Records read ahead and prepared, in file order.
    private var ready: [(Result<Sample, DataError>, Result<[Float], DataError>)] = []

    public init(dataset: any Dataset, preprocessing: Preprocessing, batchSize: Int, limit: Int? = nil,
                skipBad: Bool = false, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                progress: ((BatchProgress) -> Void)? = nil) throws(DataError) {
        guard batchSize > 0 else { throw DataError("batch size must be positive, got \(batchSize)") }
        self.dataset = dataset
        self.preprocessing = preprocessing
        self.batchSize = batchSize
        self.limit = limit.map { max(0, $0) }
        self.skipBad = skipBad
        self.threads = max(1, threads)
        self.progress = progress
        imageShape = (dataset as? NPYDataset)?.imageShape ?? [3, preprocessing.size, preprocessing.size]
        reader = try dataset.makeReader()
    }

    /// Images the stream will deliver, when known.
    public var total: Int? {
        switch (dataset.count, limit) {
        case let (count?, limit?): min(count, limit)
        case let (count?, nil): count
        case (nil, _): nil
        }
    }

    /// The next batch (the last may hold fewer than `batchSize` images), or nil when done.
    ///
    /// A broken file structure ends the stream: the images read before it still come as a batch,
    /// and the call after that throws.
    public func next() throws(DataError) -> Batch? {
        if ready.isEmpty, let fatal {
            self.fatal = nil
            throw fatal
        }
        var values: [Float] = []
        var labels: [[Float]] = []
        var ids: [UInt64] = []
        var want = batchSize
        if let limit { want = min(want, limit - delivered) }
        values.reserveCapacity(want * imageShape.reduce(1, *))
        while labels.count < want {
            if ready.isEmpty {
                if finished { break }
                // Decode at least a few per thread at once, so small batches still use every core.
                var need = max(want - labels.count, 2 * threads)
                if let limit { need = min(need, max(limit - delivered - labels.count, 1)) }
                try fill(need)
                continue
            }
            let (item, result) = ready.removeFirst()
            switch (item, result) {
            case (.failure(let error), _):
                try reject(error.message)
            case (.success(let sample), .failure(let error)):
                try reject("\(sample.location): \(error.message)")
            case (.success(let sample), .success(let floats)):
                values.append(contentsOf: floats)
                labels.append(sample.labels)
                ids.append(sample.id)
            }
        }
        guard !labels.isEmpty else {
            if let fatal {
                self.fatal = nil
                throw fatal
            }
            return nil
        }
        delivered += labels.count
        progress?(BatchProgress(done: delivered, total: total, skipped: skipped.count))
        return Batch(input: Tensor(shape: [labels.count] + imageShape, floats: values), labels: labels, ids: ids)
    }

    /// Reads up to `count` records (stopping at the end or a broken structure) and prepares them.
    private func fill(_ count: Int) throws(DataError) {
        var window: [Result<Sample, DataError>] = []
        while window.count < count {
            do throws(DataError) {
                guard let item = try reader.next() else {
                    finished = true
                    break
                }
                window.append(item)
            } catch {
                finished = true
                fatal = error
                break
            }
        }
        ready += zip(window, prepare(window)).map { ($0, $1) }
    }

    private func reject(_ message: String) throws(DataError) {
        guard skipBad else { throw DataError(message) }
        skipped.append("\(dataset.source): \(message)")
    }

    /// Decodes and preprocesses a window of samples on `threads` threads, in order.
    private func prepare(_ window: [Result<Sample, DataError>]) -> [Result<[Float], DataError>] {
        var results = [Result<[Float], DataError>](repeating: .failure(DataError("not prepared")), count: window.count)
        let workers = min(threads, window.count)
        let preprocessing = preprocessing
        let tensorShape = [1] + imageShape
        results.withUnsafeMutableBufferPointer { out in
            // Each index is written by exactly one worker.
            nonisolated(unsafe) let slots = out
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: window.count, by: workers) {
                    if case .success(let sample) = window[i] { slots[i] = Self.prepare(sample, preprocessing, tensorShape: tensorShape) }
                }
            }
        }
        return results
    }

    private static func prepare(_ sample: Sample, _ preprocessing: Preprocessing,
                                tensorShape: [Int]) -> Result<[Float], DataError> {
        switch sample.content {
        case .encoded(let bytes):
            do {
                let image = try JPEG.decode(bytes)
                return .success(try preprocessing.normalized(image))
            } catch let error as DataError {
                return .failure(error)
            } catch {
                return .failure(DataError("\(error)"))
            }
        case .tensor(let tensor):
            guard tensor.shape == tensorShape, case .f32(let floats) = tensor.storage else {
                return .failure(DataError("a \(tensor.dtype) tensor of shape \(tensor.shape); expected f32 \(tensorShape)"))
            }
            return .success(floats)
        }
    }
}
