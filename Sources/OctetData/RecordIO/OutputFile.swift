import Foundation

/// A file written under a temporary name beside its destination and renamed into place by `commit`,
/// so a failed run never leaves a partly written output.
final class OutputFile {
    let path: String
    private let temporaryPath: String
    private var handle: FileHandle?
    private var pending: [UInt8] = []
    private(set) var written: Int64 = 0

    init(path: String) throws(DataError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent("." + url.lastPathComponent + ".partial").path
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            throw DataError("cannot create \(temporaryPath)")
        }
        self.handle = handle
    }

    deinit {
        if handle != nil {
            try? handle?.close()
            try? FileManager.default.removeItem(atPath: temporaryPath)
        }
    }

    func write(_ bytes: some Collection<UInt8>) throws(DataError) {
        pending.append(contentsOf: bytes)
        written += Int64(bytes.count)
        if pending.count >= 1 << 20 { try flush() }
    }

    /// Flushes, closes and renames the file to its destination.
    func commit() throws(DataError) {
        try flush()
        guard let handle else { return }
        do {
            try handle.close()
            self.handle = nil
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
        } catch {
            self.handle = nil
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw DataError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    private func flush() throws(DataError) {
        guard let handle, !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            throw DataError("cannot write \(path): \(error.localizedDescription)")
        }
        pending.removeAll(keepingCapacity: true)
    }
}
