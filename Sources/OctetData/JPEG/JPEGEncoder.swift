/// Baseline JFIF encoding as libjpeg does it (`cjpeg -baseline -quality Q` writes the same tables and
/// scan bytes): its color conversion and 2x2 chroma averaging, the Annex K quantization tables scaled by
/// its quality rule, its integer forward DCT, the standard Huffman tables, and edge MCUs completed with
/// "dummy" blocks (the previous DC, no AC; jccoefct.c). Color images are written 4:2:0, gray images as
/// one component.
struct JPEGEncoder {
    var quality: Int

    /// libjpeg's jpeg_quality_scaling: 50 keeps Annex K, lower qualities divide it (5000 / q percent),
    /// higher ones shrink it (200 - 2q percent), e.g. q 75 → 50%, q 90 → 20%; entries clamp to 1...255.
    static func scaledTable(_ base: [Int], quality: Int) -> [Int] {
        let scale = quality < 50 ? 5000 / quality : 200 - 2 * quality
        return base.map { min(max(($0 * scale + 50) / 100, 1), 255) }
    }

    func encode(_ image: Image) throws(DataError) -> [UInt8] {
        guard (1...100).contains(quality) else { throw DataError("JPEG: quality \(quality) is outside 1...100") }
        guard (1...65535).contains(image.width), (1...65535).contains(image.height) else {
            throw DataError("JPEG: \(image.width)x\(image.height) cannot be stored in a JPEG frame (1...65535 per side)")
        }
        let color = image.channels == 3
        let luma = Self.scaledTable(JPEGStandardTables.luminanceQuant, quality: quality)
        let chroma = Self.scaledTable(JPEGStandardTables.chrominanceQuant, quality: quality)
        let planes = JPEGEncoderPlanes(image)
        var out: [UInt8] = [0xFF, 0xD8]
        // JFIF 1.01, no density units, 1:1 aspect, no thumbnail.
        out += [0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        let tables = color ? [luma, chroma] : [luma]
        out += [0xFF, 0xDB] + u16(2 + 65 * tables.count)
        for (id, table) in tables.enumerated() {
            out.append(UInt8(id))
            out += (0..<64).map { UInt8(table[JPEGStandardTables.naturalOrder[$0]]) }
        }
        let componentCount = color ? 3 : 1
        out += [0xFF, 0xC0] + u16(8 + 3 * componentCount) + [8] + u16(image.height) + u16(image.width)
        out.append(UInt8(componentCount))
        out += color ? [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1] : [1, 0x11, 0]
        // Table class and id (0x10 = AC table 0), then the table.
        var specs: [(slot: UInt8, spec: HuffmanSpec)] = [
            (0x00, JPEGStandardTables.luminanceDC), (0x10, JPEGStandardTables.luminanceAC),
        ]
        if color { specs += [(0x01, JPEGStandardTables.chrominanceDC), (0x11, JPEGStandardTables.chrominanceAC)] }
        for (slot, spec) in specs {
            out += [0xFF, 0xC4] + u16(2 + 17 + spec.symbols.count)
            out.append(slot)
            out += spec.counts + spec.symbols
        }
        out += [0xFF, 0xDA] + u16(6 + 2 * componentCount) + [UInt8(componentCount)]
        out += color ? [1, 0x00, 2, 0x11, 3, 0x11] : [1, 0x00]
        out += [0, 63, 0]
        out += try entropyCode(planes, luma: luma, chroma: chroma)
        out += [0xFF, 0xD9]
        return out
    }

    private func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    private func entropyCode(_ planes: JPEGEncoderPlanes, luma: [Int], chroma: [Int]) throws(DataError) -> [UInt8] {
        guard let lumaCodes = JPEGHuffmanEncoder(dc: JPEGStandardTables.luminanceDC, ac: JPEGStandardTables.luminanceAC),
              let chromaCodes = JPEGHuffmanEncoder(dc: JPEGStandardTables.chrominanceDC, ac: JPEGStandardTables.chrominanceAC)
        else { throw DataError("JPEG: bad standard Huffman table") }
        let dct = JPEGForwardDCT()
        var writer = JPEGBitWriter()
        var predictions = [0, 0, 0]
        var block = [Int](repeating: 0, count: 64)
        let mcu = planes.color ? 16 : 8
        for my in stride(from: 0, to: planes.paddedHeight, by: mcu) {
            for mx in stride(from: 0, to: planes.paddedWidth, by: mcu) {
                for by in stride(from: 0, to: mcu, by: 8) {
                    for bx in stride(from: 0, to: mcu, by: 8) {
                        if planes.isDummy(luma: true, x: mx + bx, y: my + by) {
                            lumaCodes.encodeDummyBlock(writer: &writer)
                            continue
                        }
                        dct.quantizedBlock(planes.luma, stride: planes.paddedWidth, x: mx + bx, y: my + by,
                                           divisors: luma, into: &block)
                        lumaCodes.encodeBlock(block, prediction: &predictions[0], writer: &writer)
                    }
                }
                if planes.color {
                    for (i, plane) in [planes.cb, planes.cr].enumerated() {
                        if planes.isDummy(luma: false, x: mx / 2, y: my / 2) {
                            chromaCodes.encodeDummyBlock(writer: &writer)
                            continue
                        }
                        dct.quantizedBlock(plane, stride: planes.paddedWidth / 2, x: mx / 2, y: my / 2,
                                           divisors: chroma, into: &block)
                        chromaCodes.encodeBlock(block, prediction: &predictions[i + 1], writer: &writer)
                    }
                }
            }
        }
        return writer.finish()
    }
}

/// The image as JPEG sample planes padded to whole MCUs by repeating the last column and row:
/// Y, and for color images Cb and Cr averaged over 2x2 as libjpeg does (bias 1, 2, 1, 2, ...) from
/// rows padded to an even count, the last averaged row then repeated (jcprepct.c).
struct JPEGEncoderPlanes {
    var color: Bool
    var paddedWidth: Int
    var paddedHeight: Int
    var width: Int
    var height: Int
    var luma: [UInt8]
    var cb: [UInt8] = []
    var cr: [UInt8] = []

    init(_ image: Image) {
        color = image.channels == 3
        width = image.width
        height = image.height
        let mcu = color ? 16 : 8
        paddedWidth = (image.width + mcu - 1) / mcu * mcu
        paddedHeight = (image.height + mcu - 1) / mcu * mcu
        let w = paddedWidth, h = paddedHeight
        luma = [UInt8](repeating: 0, count: w * h)
        guard color else {
            for y in 0..<h {
                for x in 0..<w { luma[y * w + x] = image.pixels[min(y, image.height - 1) * image.width + min(x, image.width - 1)] }
            }
            return
        }
        // libjpeg's jccolor: 16-bit fixed point, Cb/Cr offset by 128 and rounded just below one half.
        func fix(_ x: Double) -> Int { Int(x * 65536 + 0.5) }
        let half = 1 << 15, offset = 128 << 16
        var fullCb = [UInt8](repeating: 0, count: w * h), fullCr = fullCb
        for y in 0..<h {
            for x in 0..<w {
                let p = (min(y, image.height - 1) * image.width + min(x, image.width - 1)) * 3
                let r = Int(image.pixels[p]), g = Int(image.pixels[p + 1]), b = Int(image.pixels[p + 2])
                luma[y * w + x] = UInt8((fix(0.299) * r + fix(0.587) * g + fix(0.114) * b + half) >> 16)
                fullCb[y * w + x] = UInt8((-fix(0.16874) * r - fix(0.33126) * g + fix(0.5) * b + offset + half - 1) >> 16)
                fullCr[y * w + x] = UInt8((fix(0.5) * r - fix(0.41869) * g - fix(0.08131) * b + offset + half - 1) >> 16)
            }
        }
        let cw = w / 2, ch = h / 2
        cb = [UInt8](repeating: 0, count: cw * ch)
        cr = cb
        let chromaRows = (image.height + 1) / 2
        for y in 0..<ch {
            for x in 0..<cw {
                let i = 2 * min(y, chromaRows - 1) * w + 2 * x, bias = 1 + (x & 1)
                cb[y * cw + x] = UInt8((Int(fullCb[i]) + Int(fullCb[i + 1]) + Int(fullCb[i + w]) + Int(fullCb[i + w + 1]) + bias) >> 2)
                cr[y * cw + x] = UInt8((Int(fullCr[i]) + Int(fullCr[i + 1]) + Int(fullCr[i + w]) + Int(fullCr[i + w + 1]) + bias) >> 2)
            }
        }
    }

    /// Whether the block at (x, y) of a plane lies wholly outside the component's own samples
    /// (`ceil(width / 8)` x `ceil(height / 8)` blocks, the chroma sized `ceil(width / 2)`).
    func isDummy(luma: Bool, x: Int, y: Int) -> Bool {
        let w = luma || !color ? width : (width + 1) / 2, h = luma || !color ? height : (height + 1) / 2
        return x >= (w + 7) / 8 * 8 || y >= (h + 7) / 8 * 8
    }
}
