/// Memory a decode owns and reads through pointers in hot loops, freed with the owner.
final class JPEGBuffer<Element> {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(repeating value: Element, count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    convenience init(_ values: [Element]) {
        self.init(repeating: values[0], count: values.count)
        for i in values.indices { pointer[i] = values[i] }
    }

    deinit { pointer.deallocate() }
}

/// Decodes one JPEG file: walks the markers, keeps the tables they define, decodes each scan into
/// sample planes (sequential) or coefficients (progressive), then upsamples and converts to RGB.
final class JPEGDecoder {
    let data: UnsafeBufferPointer<UInt8>
    var frame: JPEGFrame?
    var quantTables: [[Int32]?] = [nil, nil, nil, nil]
    var dcTables: [HuffmanDecodingTable?] = [nil, nil, nil, nil]
    var acTables: [HuffmanDecodingTable?] = [nil, nil, nil, nil]
    var restartInterval = 0
    var sawJFIF = false
    var adobeTransform: Int?
    var scanCount = 0
    /// Progressive files need about 10 scans; a cap stops files that repeat scans to burn time.
    static let maxScans = 1000
    /// Per component: decoded samples (padded plane), coefficients (progressive only), and the
    /// quantization table latched at the component's first scan, as libjpeg does.
    var planes: [JPEGBuffer<UInt8>] = []
    var coefficients: [JPEGBuffer<Int16>] = []
    var latchedQuant: [JPEGBuffer<Int32>?] = []
    let naturalOrder = JPEGBuffer(JPEGStandardTables.naturalOrder.map { Int32($0) })
    let idct = JPEGInverseDCT()

    init(data: UnsafeBufferPointer<UInt8>) {
        self.data = data
    }

    func decode() throws(DataError) -> Image {
        guard data.count >= 2, data[0] == 0xFF, data[1] == 0xD8 else {
            throw DataError("JPEG: no SOI marker at byte offset 0 (not a JPEG file)")
        }
        var position = 2
        markers: while true {
            position = JPEGMarkers.nextMarker(in: data, from: position)
            // A file that ends without EOI keeps what was decoded, as libjpeg does (it warns).
            guard position + 1 < data.count else { break }
            let offset = position, marker = Int(data[position + 1])
            position += 2
            switch marker {
            case 0xD9: break markers
            case 0xD0...0xD7, 0x01: continue
            case 0xD8: throw DataError("JPEG: second SOI marker at byte offset \(offset)")
            default: break
            }
            let segment = try JPEGMarkers.segment(in: data, at: offset)
            position = segment.upperBound
            switch marker {
            case 0xC0, 0xC1, 0xC2:
                guard frame == nil else { throw DataError("JPEG: second frame header at byte offset \(offset)") }
                try startFrame(JPEGFrame(data, segment: segment, marker: marker, at: offset))
            case 0xC3, 0xC5, 0xC6, 0xC7, 0xCB, 0xCD, 0xCE, 0xCF:
                throw DataError("JPEG: \(JPEGMarkers.name(marker)) at byte offset \(offset): lossless and hierarchical JPEG are not supported")
            case 0xC9, 0xCA, 0xCC:
                throw DataError("JPEG: \(JPEGMarkers.name(marker)) at byte offset \(offset): arithmetic coding is not supported")
            case 0xC4: try readHuffmanTables(segment, at: offset)
            case 0xDB: try readQuantizationTables(segment, at: offset)
            case 0xDD:
                guard segment.count == 2 else { throw DataError("JPEG: DRI marker at byte offset \(offset): length \(segment.count + 2), expected 4") }
                restartInterval = JPEGMarkers.u16(data, segment.lowerBound)
            case 0xDA:
                guard let frame else { throw DataError("JPEG: scan at byte offset \(offset) comes before any frame header") }
                guard scanCount < Self.maxScans else {
                    throw DataError("JPEG: scan at byte offset \(offset) is beyond the limit of \(Self.maxScans) scans")
                }
                let scan = try JPEGScan(data, segment: segment, frame: frame, at: offset)
                position = try decodeScan(scan, frame: frame, start: segment.upperBound, at: offset)
                scanCount += 1
            case 0xE0:
                sawJFIF = sawJFIF || matches(segment, [0x4A, 0x46, 0x49, 0x46, 0])
            case 0xEE:
                if segment.count >= 12 && matches(segment, [0x41, 0x64, 0x6F, 0x62, 0x65]) {
                    adobeTransform = Int(data[segment.lowerBound + 11])
                }
            default: continue
            }
        }
        guard let frame else { throw DataError("JPEG: no frame header (SOF) before the end of the file") }
        guard scanCount > 0 else { throw DataError("JPEG: no scan (SOS) before the end of the file") }
        if frame.progressive { finishProgressive(frame) }
        return try JPEGColorConverter(decoder: self, frame: frame).image()
    }

    private func matches(_ segment: Range<Int>, _ prefix: [UInt8]) -> Bool {
        segment.count >= prefix.count && prefix.indices.allSatisfy { data[segment.lowerBound + $0] == prefix[$0] }
    }

    private func startFrame(_ frame: JPEGFrame) throws(DataError) {
        self.frame = frame
        for c in frame.components {
            planes.append(JPEGBuffer(repeating: 0, count: c.stride * c.rows))
            if frame.progressive { coefficients.append(JPEGBuffer(repeating: 0, count: c.stride * c.rows)) }
            latchedQuant.append(nil)
        }
    }

    private func readQuantizationTables(_ segment: Range<Int>, at offset: Int) throws(DataError) {
        var p = segment.lowerBound
        while p < segment.upperBound {
            let precision = Int(data[p] >> 4), id = Int(data[p] & 15)
            let size = precision == 0 ? 64 : 128
            guard precision <= 1, id < 4, p + 1 + size <= segment.upperBound else {
                throw DataError("JPEG: DQT marker at byte offset \(offset): bad table header at byte offset \(p) (precision \(precision), id \(id))")
            }
            var table = [Int32](repeating: 0, count: 64)
            for k in 0..<64 {
                let value = precision == 0 ? Int(data[p + 1 + k]) : JPEGMarkers.u16(data, p + 1 + 2 * k)
                table[JPEGStandardTables.naturalOrder[k]] = Int32(value)
            }
            quantTables[id] = table
            p += 1 + size
        }
    }

    private func readHuffmanTables(_ segment: Range<Int>, at offset: Int) throws(DataError) {
        var p = segment.lowerBound
        while p < segment.upperBound {
            let tableClass = Int(data[p] >> 4), id = Int(data[p] & 15)
            guard tableClass <= 1, id < 4, p + 17 <= segment.upperBound else {
                throw DataError("JPEG: DHT marker at byte offset \(offset): bad table header at byte offset \(p) (class \(tableClass), id \(id))")
            }
            let counts = (0..<16).map { data[p + 1 + $0] }
            let total = counts.reduce(0) { $0 + Int($1) }
            guard total <= 256, p + 17 + total <= segment.upperBound else {
                throw DataError("JPEG: DHT marker at byte offset \(offset): table at byte offset \(p) lists \(total) codes, more than the segment holds")
            }
            let symbols = (0..<total).map { data[p + 17 + $0] }
            guard let table = HuffmanDecodingTable(HuffmanSpec(counts: counts, symbols: symbols)) else {
                throw DataError("JPEG: DHT marker at byte offset \(offset): table at byte offset \(p) has more codes than fit their lengths")
            }
            if tableClass == 0 { dcTables[id] = table } else { acTables[id] = table }
            p += 17 + total
        }
    }

    /// The Huffman table a scan names; slots 0 and 1 fall back to the Annex K tables, as libjpeg does.
    func huffmanTable(ac: Bool, _ id: Int, at offset: Int) throws(DataError) -> HuffmanDecodingTable {
        if let table = ac ? acTables[id] : dcTables[id] { return table }
        let spec: HuffmanSpec
        switch (ac, id) {
        case (false, 0): spec = JPEGStandardTables.luminanceDC
        case (false, 1): spec = JPEGStandardTables.chrominanceDC
        case (true, 0): spec = JPEGStandardTables.luminanceAC
        case (true, 1): spec = JPEGStandardTables.chrominanceAC
        default: throw DataError("JPEG: scan at byte offset \(offset) uses \(ac ? "AC" : "DC") Huffman table \(id), which is not defined")
        }
        guard let table = HuffmanDecodingTable(spec) else { throw DataError("JPEG: bad standard Huffman table") }
        if ac { acTables[id] = table } else { dcTables[id] = table }
        return table
    }

    /// Latches each scanned component's quantization table at its first scan.
    private func latchQuantization(_ scan: JPEGScan, frame: JPEGFrame, at offset: Int) throws(DataError) {
        for index in scan.components where latchedQuant[index] == nil {
            let c = frame.components[index]
            guard let table = quantTables[c.quantTable] else {
                throw DataError("JPEG: scan at byte offset \(offset): component \(c.id) uses quantization table \(c.quantTable), which is not defined")
            }
            latchedQuant[index] = JPEGBuffer(table)
        }
    }

    private func decodeScan(_ scan: JPEGScan, frame: JPEGFrame, start: Int, at offset: Int) throws(DataError) -> Int {
        try latchQuantization(scan, frame: frame, at: offset)
        var reader = JPEGBitReader(data: data, position: start)
        if frame.progressive {
            try decodeProgressiveScan(scan, frame: frame, reader: &reader, at: offset)
        } else {
            try decodeSequentialScan(scan, frame: frame, reader: &reader, at: offset)
        }
        return try reader.finish()
    }
}
