import Dispatch
import Foundation

/// Packs an image list into a `.rec` and its `.idx`, as MXNet's im2rec does for `octet pack`.
///
/// Each image is stored as it is (`passThrough`) or decoded, its shorter side resized to `resize`
/// (longer side `longer * resize / shorter`, OpenCV bilinear as im2rec) and re-encoded as JPEG at
/// `quality`. The header is `IRHeader(label, id: list index)` and the `.idx` key is the list index.
public struct RecordPacker: Sendable {
    public enum Encoding: Sendable, Equatable {
        /// The file's bytes unchanged (im2rec `--pass-through`).
        case passThrough
        /// Decode, resize the shorter side to `resize` (nil: keep the size), encode at `quality`.
        case reencode(resize: Int?, quality: Int)
    }

    public var encoding: Encoding
    /// Leave out images that cannot be read or decoded (listed in the report) instead of stopping.
    public var skipBad: Bool
    /// Store every label of a multi-label list line (im2rec `--pack-label`); otherwise only the first.
    public var packLabels: Bool
    public var threads: Int

    public init(encoding: Encoding = .reencode(resize: 256, quality: 90), skipBad: Bool = false,
                packLabels: Bool = false, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.encoding = encoding
        self.skipBad = skipBad
        self.packLabels = packLabels
        self.threads = max(1, threads)
    }

    public struct Report: Sendable, Equatable {
        public var records: Int
        public var bytes: Int64
        /// `path: what` of each image left out.
        public var skipped: [String]
    }

    /// Writes `recPath` and `indexPath` (default: the `.rec` path with `.idx`), both only when complete.
    public func pack(_ list: ImageList, to recPath: String, indexPath: String? = nil,
                     progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws(DataError) -> Report {
        if case .reencode(let resize, let quality) = encoding {
            guard (1...100).contains(quality) else { throw DataError("JPEG quality must be 1...100, got \(quality)") }
            if let resize, resize < 1 { throw DataError("resize must be positive, got \(resize)") }
        }
        let writer = try RecordIOWriter(path: recPath)
        var entries: [RecordIOIndex.Entry] = []
        var skipped: [String] = []
        let window = max(threads * 4, 8)
        var start = 0
        while start < list.entries.count {
            let chunk = Array(list.entries[start..<min(start + window, list.entries.count)])
            for (entry, result) in zip(chunk, encode(chunk, list)) {
                switch result {
                case .success(let image):
                    let labels = packLabels ? entry.labels : Array(entry.labels.prefix(1))
                    let header = IRHeader(labels: labels.isEmpty ? [0] : labels, id: entry.index)
                    entries.append(.init(key: entry.index, offset: try writer.write(header.pack(image))))
                case .failure(let error):
                    guard skipBad else { throw error }
                    skipped.append(error.message)
                }
            }
            start += chunk.count
            progress?(start, list.entries.count)
        }
        let index = try RecordIOIndex(entries: entries)
        let bytes = writer.offset
        try writer.finish()
        try index.write(to: indexPath ?? ((recPath as NSString).deletingPathExtension + ".idx"))
        return Report(records: entries.count, bytes: bytes, skipped: skipped)
    }

    private func encode(_ chunk: [ImageList.Entry], _ list: ImageList) -> [Result<[UInt8], DataError>] {
        var results = [Result<[UInt8], DataError>](repeating: .failure(DataError("not encoded")), count: chunk.count)
        let workers = min(threads, chunk.count)
        let encoding = encoding
        results.withUnsafeMutableBufferPointer { out in
            // Each index is written by exactly one worker.
            nonisolated(unsafe) let slots = out
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: chunk.count, by: workers) {
                    do throws(DataError) {
                        slots[i] = .success(try Self.encode(chunk[i], from: list, encoding))
                    } catch {
                        slots[i] = .failure(error)
                    }
                }
            }
        }
        return results
    }

    /// The image's record bytes; errors start with its path.
    private static func encode(_ entry: ImageList.Entry, from list: ImageList, _ encoding: Encoding) throws(DataError) -> [UInt8] {
        let path = list.fullPath(entry)
        let bytes = try FolderDataset.read(path)
        switch encoding {
        case .passThrough:
            return bytes
        case .reencode(let resize, let quality):
            do {
                var image = try JPEG.decode(bytes)
                if let resize {
                    let size = Preprocessing.shorterSideSize(width: image.width, height: image.height, shorter: resize)
                    image = try LinearResize.resize(image, width: size.width, height: size.height)
                }
                return try JPEG.encode(image, quality: quality)
            } catch let error as DataError {
                throw DataError("\(path): \(error.message)")
            } catch {
                throw DataError("\(path): \(error)")
            }
        }
    }
}
