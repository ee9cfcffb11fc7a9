/// Baseline and extended sequential Huffman scans (T.81 F.2): each block is decoded completely
/// and inverse-transformed straight into its component's sample plane.
extension JPEGDecoder {
    func decodeSequentialScan(_ scan: JPEGScan, frame: JPEGFrame, reader: inout JPEGBitReader, at offset: Int) throws(DataError) {
        let n = scan.components.count
        var dc: [HuffmanDecodingTable] = [], ac: [HuffmanDecodingTable] = []
        for i in 0..<n {
            dc.append(try huffmanTable(ac: false, scan.dcTables[i], at: offset))
            ac.append(try huffmanTable(ac: true, scan.acTables[i], at: offset))
        }
        let components = scan.components.map { frame.components[$0] }
        var quant: [UnsafeMutablePointer<Int32>] = []
        for index in scan.components {
            guard let table = latchedQuant[index] else { throw DataError("JPEG: scan at byte offset \(offset) has no quantization table") }
            quant.append(table.pointer)
        }
        let planes = scan.components.map { self.planes[$0].pointer }
        let block = JPEGBuffer<Int16>(repeating: 0, count: 64)
        let zigzag = naturalOrder.pointer
        var predictions = [Int](repeating: 0, count: n)

        // A non-interleaved scan codes each block of the component as its own MCU.
        let mcusWide = n == 1 ? components[0].blocksWide : frame.mcusX
        let mcusHigh = n == 1 ? components[0].blocksHigh : frame.mcusY
        var restartsLeft = restartInterval
        var nextRestart = 0

        for my in 0..<mcusHigh {
            for mx in 0..<mcusWide {
                if restartInterval > 0 {
                    if restartsLeft == 0 {
                        try reader.restart(expecting: nextRestart)
                        nextRestart = (nextRestart + 1) & 7
                        restartsLeft = restartInterval
                        for i in 0..<n { predictions[i] = 0 }
                    }
                    restartsLeft -= 1
                }
                for i in 0..<n {
                    let c = components[i]
                    let (bh, bv) = n == 1 ? (1, 1) : (c.h, c.v)
                    for by in 0..<bv {
                        for bx in 0..<bh {
                            let acCount = try decodeBlock(
                                &reader, dc: dc[i], ac: ac[i], prediction: &predictions[i], block: block.pointer, zigzag: zigzag)
                            let x = (mx * bh + bx) * 8, y = (my * bv + by) * 8
                            let out = planes[i] + y * c.stride + x
                            if acCount == 0 {
                                idct.transformDC(block.pointer[0], quant: quant[i], output: out, stride: c.stride)
                                block.pointer[0] = 0
                            } else {
                                idct.transform(block.pointer, quant: quant[i], output: out, stride: c.stride)
                                block.pointer.update(repeating: 0, count: 64)
                            }
                        }
                    }
                }
            }
            if reader.overran {
                throw DataError("JPEG: scan at byte offset \(offset): data ends early near byte offset \(reader.offset) (MCU row \(my) of \(mcusHigh); truncated or corrupt file)")
            }
        }
    }

    /// Decodes one block's DC difference and AC run-lengths into `block` (natural order);
    /// returns how many AC coefficients were coded, so all-DC blocks can take the fast path.
    @inline(__always)
    private func decodeBlock(
        _ reader: inout JPEGBitReader, dc: HuffmanDecodingTable, ac: HuffmanDecodingTable,
        prediction: inout Int, block: UnsafeMutablePointer<Int16>, zigzag: UnsafeMutablePointer<Int32>
    ) throws(DataError) -> Int {
        let s = try reader.decode(dc)
        if s != 0 {
            guard s <= 15 else { throw DataError("JPEG: DC difference category \(s) is invalid near byte offset \(reader.offset)") }
            prediction &+= reader.receiveExtend(s)
        }
        block[0] = Int16(truncatingIfNeeded: prediction)
        var k = 1, coded = 0
        while k < 64 {
            let fast = reader.decodeFastAC(ac)
            if fast != 0 {
                k += Int((fast &>> 8) & 0xFF)
                guard k < 64 else { throw DataError("JPEG: AC coefficient run past the end of a block near byte offset \(reader.offset)") }
                block[Int(zigzag[k])] = Int16(truncatingIfNeeded: fast &>> 16)
                coded += 1
                k += 1
                continue
            }
            let rs = try reader.decode(ac)
            let run = rs &>> 4, size = rs & 15
            if size != 0 {
                k += run
                guard k < 64 else { throw DataError("JPEG: AC coefficient run past the end of a block near byte offset \(reader.offset)") }
                block[Int(zigzag[k])] = Int16(truncatingIfNeeded: reader.receiveExtend(size))
                coded += 1
                k += 1
            } else {
                if run != 15 { break }
                k += 16
            }
        }
        return coded
    }
}
