import Foundation
import OctetData
import OctetIR
import OctetTestSupport
import Testing

/// A float32 C-order `.npy` (version 1), written here because this target does not import OctetFormats.
func writeNPY(_ values: [Float], shape: [Int], to path: String) throws {
    try writeNPY(bytes: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) },
                 descr: "<f4", shape: shape, to: path)
}

func writeNPY(bytes: [UInt8], descr: String, shape: [Int], to path: String) throws {
    let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    out += Array(header.utf8) + bytes
    try Data(out).write(to: URL(fileURLWithPath: path))
}

@Suite struct DatasetTests {
    @Test func recordIODatasetYieldsHeadersAndImages() throws {
        let table = try MXNetRecordTable("dev8")
        let dataset = try RecordIODataset(path: Paths.fixture("rec/dev8.rec").path)
        #expect(dataset.count == 8)
        let reader = try dataset.makeReader()
        var samples: [Sample] = []
        while let item = try reader.next() { samples.append(try item.get()) }
        try #require(samples.count == table.rows.count)
        for (sample, row) in zip(samples, table.rows) {
            #expect(sample.labels == row.labels && sample.id == row.id)
            #expect(sample.location == "record \(row.record) at byte \(row.offset)")
            guard case .encoded(let bytes) = sample.content else { Issue.record("not encoded"); continue }
            #expect(crc32(bytes) == row.imageCRC)
        }
        #expect(samples.map(\.classIndex) == [7, 637, 647, 677, 747, 817, 877, 937])
        #expect(try dataset.sample(forKey: 81).labels == [817])
    }

    @Test func badImageHeadersAreRecordErrorsThatLetReadingGoOn() throws {
        let reader = try RecordIODataset(path: Paths.fixture("corrupt/rec/bad-image-header.rec").path).makeReader()
        var outcomes: [String] = []
        while let item = try reader.next() {
            switch item {
            case .success(let s): outcomes.append("ok \(s.id)")
            case .failure(let e): outcomes.append(e.message)
            }
        }
        #expect(outcomes == [
            "ok 0",
            "record 1 at byte 36: payload of 5 bytes is shorter than the 24-byte image header",
            "record 2 at byte 52: image header says 1000 extra labels (4000 bytes), only 3 bytes follow",
            "ok 3",
        ])
    }

    @Test func lstListsKeepIndicesAndLabels() throws {
        let list = try ImageList.load(path: Paths.fixture("rec/dev8.lst").path)
        #expect(list.entries.count == 8)
        #expect(list.entries[1] == ImageList.Entry(index: 63, labels: [637], path: "n03710193_mailbox.JPEG"))
        #expect(list.root == Paths.fixture("rec").path)
    }

    @Test("malformed lists name the line", arguments: [
        ("a.lst", "0\t1\tx.jpg\n1\tx.jpg\n", "line 2: expected 'index<TAB>label<TAB>path', found 2 field(s)"),
        ("b.lst", "0\t1\tx.jpg\n\n-3\t1\ty.jpg\n", "line 3: index '-3' is not a non-negative integer"),
        ("c.lst", "4\t1\tx.jpg\n4\t2\ty.jpg\n", "line 2: index 4 repeats line 1"),
        ("d.lst", "4\tcat\tx.jpg\n", "line 1: label 'cat' is not a number"),
        ("e.tsv", "file\tlabel\nx.jpg\t3\ny.jpg\tdog\n", "line 3: label 'dog' is not a number"),
    ])
    func malformedList(name: String, text: String, message: String) throws {
        let path = temporaryPath(name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataError(message)) { try ImageList.load(path: path) }
    }

    @Test func classFoldersGiveSortedLabels() throws {
        let root = temporaryPath("classes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (folder, files) in [("zebra", ["b.jpg", "a.JPEG"]), ("ant", ["x.jpg"]), ("empty", ["notes.txt"])] {
            let dir = (root as NSString).appendingPathComponent(folder)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in files { try Data([1]).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(f))) }
        }
        let list = try ImageList.load(path: root)
        #expect(list.classNames == ["ant", "zebra"])
        #expect(list.entries.map(\.path) == ["ant/x.jpg", "zebra/a.JPEG", "zebra/b.jpg"])
        #expect(list.entries.map(\.labels) == [[0], [1], [1]])
        #expect(list.entries.map(\.index) == [0, 1, 2])
    }

    @Test func photosThroughTheirLabelsFile() throws {
        let dataset = try Datasets.open(path: Paths.fixture("photos").path)
        #expect(dataset.count == 8)
        let reader = try dataset.makeReader()
        let first = try #require(try reader.next()).get()
        #expect(first.labels == [7] && first.location.hasSuffix("n01514668_cock.JPEG"))
        let second = try #require(try reader.next()).get()
        #expect(second.labels == [637] && second.location.hasSuffix("n03710193_mailbox.JPEG"))
    }

    @Test func npyBatchesWithLabels() throws {
        let dir = temporaryPath("npy")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values = (0..<(2 * 3 * 4 * 4)).map(Float.init)
        try writeNPY(values, shape: [2, 3, 4, 4], to: dir + "/a.npy")
        try writeNPY(bytes: [5, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0], descr: "<i8", shape: [2], to: dir + "/a.labels.npy")
        try writeNPY(Array(values.prefix(48)), shape: [1, 3, 4, 4], to: dir + "/b.npy")
        let dataset = try Datasets.open(path: dir)
        #expect(dataset.count == nil && (dataset as? NPYDataset)?.imageShape == [3, 4, 4])
        var ticks: [BatchProgress] = []
        let stream = try BatchStream(dataset: dataset, preprocessing: Preprocessing(preset: .none, size: 4, resize: 4),
                                     batchSize: 2, progress: { ticks.append($0) })
        let first = try #require(try stream.next())
        #expect(first.input.shape == [2, 3, 4, 4] && first.input.floatValues() == values)
        #expect(first.labels == [[5], [9]] && first.classIndices == [5, 9])
        let second = try #require(try stream.next())
        #expect(second.input.shape == [1, 3, 4, 4] && second.labels == [[]])
        #expect(try stream.next() == nil)
        #expect(ticks == [BatchProgress(done: 2, total: nil, skipped: 0), BatchProgress(done: 3, total: nil, skipped: 0)])

        let single = try Datasets.open(path: dir + "/a.npy")
        #expect(single.count == 2)
        let limited = try BatchStream(dataset: single, preprocessing: Preprocessing(preset: .none, size: 4, resize: 4),
                                      batchSize: 1, limit: 1)
        #expect(limited.total == 1)
        #expect(try limited.next()?.labels == [[5]])
        #expect(try limited.next() == nil)
        // Preprocessed tensors keep their own height and width, square or not, whatever crop the flags give.
        let wide = (0..<(2 * 3 * 2 * 6)).map(Float.init)
        try writeNPY(wide, shape: [2, 3, 2, 6], to: dir + "/wide.npy")
        let lines = try BatchStream(dataset: try Datasets.open(path: dir + "/wide.npy"),
                                    preprocessing: Preprocessing(preset: .none, size: 8, resize: 8), batchSize: 4)
        #expect(lines.imageShape == [3, 2, 6])
        let line = try #require(try lines.next())
        #expect(line.input.shape == [2, 3, 2, 6] && line.input.floatValues() == wide)
        try FileManager.default.removeItem(atPath: dir + "/wide.npy")
        try writeNPY(Array(values.prefix(27)), shape: [1, 3, 3, 3], to: dir + "/c.npy")
        let mixed = try BatchStream(dataset: try Datasets.open(path: dir), preprocessing: Preprocessing(preset: .none, size: 4, resize: 4),
                                    batchSize: 8)
        // The images before the broken file come first, then its error.
        #expect(try mixed.next()?.count == 3)
        #expect(throws: DataError("\(dir)/c.npy: images of shape [3, 3, 3], \(dir)/a.npy has [3, 4, 4]")) { try mixed.next() }
    }

    @Test func badRecordsStopTheStreamOrAreSkipped() throws {
        let path = Paths.fixture("corrupt/rec/bad-image-header.rec").path
        let dataset = try RecordIODataset(path: path)
        let strict = try BatchStream(dataset: dataset, preprocessing: Preprocessing(), batchSize: 4)
        #expect { try strict.next() } throws: { error in
            (error as? DataError)?.message.hasPrefix("record 0 at byte 0: ") == true
        }
        let lenient = try BatchStream(dataset: dataset, preprocessing: Preprocessing(), batchSize: 4, skipBad: true)
        #expect(try lenient.next() == nil)
        // Records 0 and 3 carry 3 and 4 bytes that are no JPEG; 1 and 2 have broken headers.
        #expect(lenient.skipped.count == 4)
        #expect(lenient.skipped.allSatisfy { $0.hasPrefix(path + ": record ") })
        #expect(lenient.skipped[1].hasPrefix(path + ": record 1 at byte 36: "))
        #expect(lenient.skipped[3].hasPrefix(path + ": record 3 at byte 88: "))
    }

    @Test func brokenFileStructureStopsEvenWhenSkipping() throws {
        let dataset = try RecordIODataset(path: Paths.fixture("corrupt/rec/past-eof.rec").path)
        let stream = try BatchStream(dataset: dataset, preprocessing: Preprocessing(), batchSize: 8, skipBad: true)
        #expect { try stream.next() } throws: { error in
            (error as? DataError)?.message.hasPrefix("record 2 at byte 84: length 5000 runs past the end") == true
        }
        #expect(stream.skipped.count == 2)
    }

    /// dev8.rec through decoding and preprocessing, against what MXNet's ImageRecordIter made of it.
    @Test func dev8BatchesMatchImageRecordIter() throws {
        let table = try MXNetRecordTable("dev8")
        let dataset = try RecordIODataset(path: Paths.fixture("rec/dev8.rec").path)
        var ticks: [BatchProgress] = []
        let stream = try BatchStream(dataset: dataset, preprocessing: Preprocessing(preset: .none, size: 224, resize: 256),
                                     batchSize: 3, progress: { ticks.append($0) })
        var means: [[Double]] = []
        var labels: [[Float]] = []
        while let batch = try stream.next() {
            let v = batch.input.floatValues(), plane = 224 * 224
            for i in 0..<batch.count {
                means.append((0..<3).map { c in v[((i * 3 + c) * plane)..<((i * 3 + c + 1) * plane)].reduce(0.0) { $0 + Double($1) } / Double(plane) })
            }
            labels += batch.labels
        }
        #expect(ticks.map(\.done) == [3, 6, 8] && ticks.allSatisfy { $0.total == 8 })
        #expect(labels == table.rows.map { [$0.iterLabel ?? -1] })
        for (ours, row) in zip(means, table.rows) {
            let theirs = try #require(row.iterMeans)
            for c in 0..<3 { #expect(abs(ours[c] - theirs[c]) <= Tolerance.decodedMeanLevels, "record \(row.record) channel \(c)") }
        }
    }
}
