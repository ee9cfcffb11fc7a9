import Foundation

/// Sequential reads from a file through a bounded buffer, so a large file never sits in memory whole.
final class BufferedFileReader {
    let size: Int64
    private let handle: FileHandle
    private let chunk: Int
    private var buffer: [UInt8] = []
    /// File offset of `buffer[0]`.
    private var bufferStart: Int64 = 0
    private var position = 0

    init(path: String, chunk: Int = 1 << 20) throws(DataError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError("no such file")
        }
        guard !isDirectory.boolValue else { throw DataError("is a directory, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DataError("cannot open the file") }
        do {
            size = Int64(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
        } catch {
            throw DataError("cannot read the file: \(error.localizedDescription)")
        }
        self.handle = handle
        self.chunk = chunk
    }

    deinit { try? handle.close() }

    /// The file offset of the next byte `read` returns.
    var offset: Int64 { bufferStart + Int64(position) }

    var remaining: Int64 { size - offset }

    func seek(to target: Int64) throws(DataError) {
        guard target >= 0, target <= size else {
            throw DataError("byte offset \(target) is outside the file (\(size) bytes)")
        }
        if target >= bufferStart, target <= bufferStart + Int64(buffer.count) {
            position = Int(target - bufferStart)
            return
        }
        do {
            try handle.seek(toOffset: UInt64(target))
        } catch {
            throw DataError("cannot seek to byte \(target): \(error.localizedDescription)")
        }
        buffer = []
        bufferStart = target
        position = 0
    }

    /// Appends up to `count` bytes to `out`; fewer only at the end of the file. Returns how many were read.
    @discardableResult
    func read(_ count: Int, into out: inout [UInt8]) throws(DataError) -> Int {
        var done = 0
        while done < count {
            if position == buffer.count {
                try refill()
                if buffer.isEmpty { break }
            }
            let take = min(count - done, buffer.count - position)
            out.append(contentsOf: buffer[position..<(position + take)])
            position += take
            done += take
        }
        return done
    }

    /// Skips `count` bytes (at most to the end of the file).
    func skip(_ count: Int) throws(DataError) {
        try seek(to: min(size, offset + Int64(count)))
    }

    /// A little-endian `UInt32`, or nil when fewer than 4 bytes are left.
    func readUInt32() throws(DataError) -> UInt32? {
        if buffer.count - position >= 4 {
            let v = UInt32(buffer[position]) | UInt32(buffer[position + 1]) << 8
                | UInt32(buffer[position + 2]) << 16 | UInt32(buffer[position + 3]) << 24
            position += 4
            return v
        }
        var bytes: [UInt8] = []
        guard try read(4, into: &bytes) == 4 else { return nil }
        return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    private func refill() throws(DataError) {
        bufferStart += Int64(buffer.count)
        position = 0
        do {
            buffer = [UInt8](try handle.read(upToCount: chunk) ?? Data())
        } catch {
            buffer = []
            throw DataError("cannot read at byte \(bufferStart): \(error.localizedDescription)")
        }
    }
}
