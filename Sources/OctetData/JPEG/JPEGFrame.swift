/// One image component as the frame header (SOF) declares it, with its sample and block geometry.
struct JPEGComponent {
    var id: Int
    var h: Int
    var v: Int
    var quantTable: Int
    /// Samples this component really has: ceil(width * h / maxH) by ceil(height * v / maxV).
    var width: Int
    var height: Int
    /// Blocks a non-interleaved scan codes: ceil(width / 8) by ceil(height / 8).
    var blocksWide: Int
    var blocksHigh: Int
    /// The padded plane that holds every block of every MCU: mcusX * h * 8 by mcusY * v * 8 samples.
    var stride: Int
    var rows: Int
}

/// The frame header (T.81 B.2.2): size, coding process and components.
struct JPEGFrame {
    static let maxPixels = 1 << 28

    var width: Int
    var height: Int
    var progressive: Bool
    var components: [JPEGComponent]
    var maxH: Int
    var maxV: Int
    var mcusX: Int
    var mcusY: Int

    /// Parses SOF0/1/2 at `segment`, rejecting what the decoder does not support and sizes that the
    /// file is too small to hold (each coded block takes at least one bit).
    init(_ data: UnsafeBufferPointer<UInt8>, segment: Range<Int>, marker: Int, at offset: Int) throws(DataError) {
        let s = segment.lowerBound
        let here = "JPEG: frame header (SOF\(marker - 0xC0)) at byte offset \(offset)"
        guard segment.count >= 6 else { throw DataError("\(here): length \(segment.count + 2) is too short") }
        let precision = Int(data[s])
        guard precision == 8 else {
            throw DataError("\(here): \(precision)-bit sample precision is not supported (only 8-bit)")
        }
        height = JPEGMarkers.u16(data, s + 1)
        width = JPEGMarkers.u16(data, s + 3)
        let count = Int(data[s + 5])
        guard segment.count == 6 + 3 * count else {
            throw DataError("\(here): length \(segment.count + 2) does not match \(count) components")
        }
        if count == 4 {
            throw DataError("\(here): 4-component (CMYK/YCCK, Adobe) JPEG is not supported")
        }
        guard count == 1 || count == 3 else {
            throw DataError("\(here): \(count)-component JPEG is not supported (only gray and 3-component color)")
        }
        guard height > 0 else {
            throw DataError("\(here): height 0 (defined later by a DNL marker) is not supported")
        }
        guard width > 0 else { throw DataError("\(here): width is 0") }
        guard width * height <= Self.maxPixels else {
            throw DataError("\(here): \(width)x\(height) exceeds the limit of \(Self.maxPixels) pixels")
        }
        progressive = marker == 0xC2
        var parsed: [(id: Int, h: Int, v: Int, q: Int)] = []
        for i in 0..<count {
            let p = s + 6 + 3 * i
            let id = Int(data[p]), h = Int(data[p + 1] >> 4), v = Int(data[p + 1] & 15), q = Int(data[p + 2])
            guard (1...4).contains(h), (1...4).contains(v) else {
                throw DataError("\(here): component \(id) has sampling factors \(h)x\(v) (must be 1...4)")
            }
            guard q < 4 else { throw DataError("\(here): component \(id) names quantization table \(q) (must be 0...3)") }
            guard !parsed.contains(where: { $0.id == id }) else {
                throw DataError("\(here): component id \(id) appears twice")
            }
            parsed.append((id, h, v, q))
        }
        maxH = parsed.map(\.h).max() ?? 1
        maxV = parsed.map(\.v).max() ?? 1
        mcusX = (width + 8 * maxH - 1) / (8 * maxH)
        mcusY = (height + 8 * maxV - 1) / (8 * maxV)
        var components: [JPEGComponent] = []
        var codedBlocks = 0
        for c in parsed {
            guard maxH % c.h == 0, maxV % c.v == 0 else {
                throw DataError("\(here): component \(c.id) sampling \(c.h)x\(c.v) is not an integer fraction of \(maxH)x\(maxV); not supported")
            }
            let w = (width * c.h + maxH - 1) / maxH, hgt = (height * c.v + maxV - 1) / maxV
            let component = JPEGComponent(
                id: c.id, h: c.h, v: c.v, quantTable: c.q, width: w, height: hgt,
                blocksWide: (w + 7) / 8, blocksHigh: (hgt + 7) / 8,
                stride: mcusX * c.h * 8, rows: mcusY * c.v * 8)
            codedBlocks += component.blocksWide * component.blocksHigh
            components.append(component)
        }
        guard codedBlocks <= 8 * data.count else {
            throw DataError("\(here): \(width)x\(height) needs \(codedBlocks) coded blocks, more than a \(data.count)-byte file can hold")
        }
        self.components = components
    }
}

/// A scan header (T.81 B.2.3): which components, which tables, and for progressive JPEG which
/// coefficients (Ss...Se) and bits (Ah, Al) it refines.
struct JPEGScan {
    var components: [Int]  // indices into the frame's components
    var dcTables: [Int]
    var acTables: [Int]
    var ss: Int
    var se: Int
    var ah: Int
    var al: Int

    init(_ data: UnsafeBufferPointer<UInt8>, segment: Range<Int>, frame: JPEGFrame, at offset: Int) throws(DataError) {
        let s = segment.lowerBound
        let here = "JPEG: scan header (SOS) at byte offset \(offset)"
        guard segment.count >= 1 else { throw DataError("\(here): empty") }
        let count = Int(data[s])
        guard (1...4).contains(count), segment.count == 4 + 2 * count else {
            throw DataError("\(here): length \(segment.count + 2) does not fit \(count) components")
        }
        components = []
        dcTables = []
        acTables = []
        for i in 0..<count {
            let id = Int(data[s + 1 + 2 * i]), tables = Int(data[s + 2 + 2 * i])
            guard let index = frame.components.firstIndex(where: { $0.id == id }) else {
                throw DataError("\(here): component id \(id) is not in the frame")
            }
            guard !components.contains(index) else { throw DataError("\(here): component id \(id) appears twice") }
            guard tables >> 4 < 4, tables & 15 < 4 else {
                throw DataError("\(here): component \(id) names Huffman tables \(tables >> 4)/\(tables & 15) (must be 0...3)")
            }
            components.append(index)
            dcTables.append(tables >> 4)
            acTables.append(tables & 15)
        }
        let p = s + 1 + 2 * count
        ss = Int(data[p])
        se = Int(data[p + 1])
        ah = Int(data[p + 2] >> 4)
        al = Int(data[p + 2] & 15)
        if frame.progressive {
            let valid = ss <= se && se <= 63 && (ss == 0) == (se == 0) && (ss == 0 || count == 1) && al <= 13 && ah <= 13
            guard valid else {
                throw DataError("\(here): invalid progression parameters Ss=\(ss) Se=\(se) Ah=\(ah) Al=\(al) for \(count) components")
            }
        }
        if count > 1 {
            let blocks = components.reduce(0) { $0 + frame.components[$1].h * frame.components[$1].v }
            guard blocks <= 10 else { throw DataError("\(here): \(blocks) blocks per MCU exceeds 10") }
        }
    }
}
