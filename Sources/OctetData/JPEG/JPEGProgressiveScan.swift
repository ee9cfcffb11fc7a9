/// Progressive Huffman scans (T.81 G.1.2): each scan adds a band of coefficients (spectral selection
/// Ss...Se) or one more bit of them (successive approximation Ah → Al) to the stored coefficients;
/// the inverse DCT runs once all scans are in.
extension JPEGDecoder {
    func decodeProgressiveScan(_ scan: JPEGScan, frame: JPEGFrame, reader: inout JPEGBitReader, at offset: Int) throws(DataError) {
        let n = scan.components.count
        let isDC = scan.ss == 0
        var tables: [HuffmanDecodingTable] = []
        if !(isDC && scan.ah != 0) {
            for i in 0..<n {
                tables.append(try huffmanTable(ac: !isDC, isDC ? scan.dcTables[i] : scan.acTables[i], at: offset))
            }
        }
        let components = scan.components.map { frame.components[$0] }
        let storage = scan.components.map { coefficients[$0].pointer }
        let zigzag = naturalOrder.pointer
        var predictions = [Int](repeating: 0, count: n)
        var eobRun = 0

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
                        eobRun = 0
                        for i in 0..<n { predictions[i] = 0 }
                    }
                    restartsLeft -= 1
                }
                for i in 0..<n {
                    let c = components[i]
                    let (bh, bv) = n == 1 ? (1, 1) : (c.h, c.v)
                    for by in 0..<bv {
                        for bx in 0..<bh {
                            let x = mx * bh + bx, y = my * bv + by
                            let block = storage[i] + (y * (c.stride / 8) + x) * 64
                            if isDC {
                                if scan.ah == 0 {
                                    let s = try reader.decode(tables[i])
                                    if s != 0 {
                                        guard s <= 15 else { throw DataError("JPEG: DC difference category \(s) is invalid near byte offset \(reader.offset)") }
                                        predictions[i] &+= reader.receiveExtend(s)
                                    }
                                    block[0] = Int16(truncatingIfNeeded: predictions[i] &<< scan.al)
                                } else if reader.bit() != 0 {
                                    block[0] |= Int16(truncatingIfNeeded: 1 << scan.al)
                                }
                            } else if scan.ah == 0 {
                                try decodeACFirst(&reader, tables[i], scan, block, zigzag, &eobRun)
                            } else {
                                try decodeACRefine(&reader, tables[i], scan, block, zigzag, &eobRun)
                            }
                        }
                    }
                }
            }
            if reader.overran {
                throw DataError("JPEG: progressive scan at byte offset \(offset): data ends early near byte offset \(reader.offset) (row \(my) of \(mcusHigh); truncated or corrupt file)")
            }
        }
    }

    @inline(__always)
    private func decodeACFirst(
        _ reader: inout JPEGBitReader, _ table: HuffmanDecodingTable, _ scan: JPEGScan,
        _ block: UnsafeMutablePointer<Int16>, _ zigzag: UnsafeMutablePointer<Int32>, _ eobRun: inout Int
    ) throws(DataError) {
        if eobRun > 0 {
            eobRun -= 1
            return
        }
        var k = scan.ss
        while k <= scan.se {
            let rs = try reader.decode(table)
            let run = rs &>> 4, size = rs & 15
            if size != 0 {
                k += run
                guard k < 64 else { throw DataError("JPEG: AC coefficient run past the end of a block near byte offset \(reader.offset)") }
                block[Int(zigzag[k])] = Int16(truncatingIfNeeded: reader.receiveExtend(size) &<< scan.al)
            } else if run == 15 {
                k += 15
            } else {
                // EOBn: this block and the next 2^run - 1 + (run extra bits) blocks end here.
                eobRun = (1 << run) - 1
                if run > 0 { eobRun += reader.receive(run) }
                break
            }
            k += 1
        }
    }

    /// Successive-approximation refinement of AC coefficients (T.81 G.1.2.3): one correction bit
    /// for each already-nonzero coefficient passed, and new coefficients of magnitude 1 << Al.
    @inline(__always)
    private func decodeACRefine(
        _ reader: inout JPEGBitReader, _ table: HuffmanDecodingTable, _ scan: JPEGScan,
        _ block: UnsafeMutablePointer<Int16>, _ zigzag: UnsafeMutablePointer<Int32>, _ eobRun: inout Int
    ) throws(DataError) {
        let plus = Int16(truncatingIfNeeded: 1 << scan.al), minus = Int16(truncatingIfNeeded: -1 << scan.al)
        var k = scan.ss
        if eobRun == 0 {
            while k <= scan.se {
                let rs = try reader.decode(table)
                var run = rs &>> 4
                let size = rs & 15
                var value: Int16 = 0
                if size != 0 {
                    // libjpeg accepts any size here (it only warns); the value is one bit either way.
                    value = reader.bit() != 0 ? plus : minus
                } else if run != 15 {
                    eobRun = 1 << run
                    if run > 0 { eobRun += reader.receive(run) }
                    break
                }
                while k <= scan.se {
                    let p = Int(zigzag[k])
                    let coefficient = block[p]
                    if coefficient != 0 {
                        if reader.bit() != 0 && coefficient & plus == 0 {
                            block[p] = coefficient >= 0 ? coefficient &+ plus : coefficient &+ minus
                        }
                    } else {
                        run -= 1
                        if run < 0 { break }
                    }
                    k += 1
                }
                if value != 0 {
                    guard k < 64 else { throw DataError("JPEG: AC refinement past the end of a block near byte offset \(reader.offset)") }
                    block[Int(zigzag[k])] = value
                }
                k += 1
            }
        }
        if eobRun > 0 {
            while k <= scan.se {
                let p = Int(zigzag[k])
                let coefficient = block[p]
                if coefficient != 0 && reader.bit() != 0 && coefficient & plus == 0 {
                    block[p] = coefficient >= 0 ? coefficient &+ plus : coefficient &+ minus
                }
                k += 1
            }
            eobRun -= 1
        }
    }

    /// Inverse-transforms every stored block into the sample planes once all scans are decoded.
    func finishProgressive(_ frame: JPEGFrame) {
        for (index, c) in frame.components.enumerated() {
            guard let quant = latchedQuant[index] else { continue }
            let coefficients = self.coefficients[index].pointer, plane = planes[index].pointer
            for by in 0..<c.blocksHigh {
                for bx in 0..<c.blocksWide {
                    idct.transform(
                        coefficients + (by * (c.stride / 8) + bx) * 64, quant: quant.pointer,
                        output: plane + by * 8 * c.stride + bx * 8, stride: c.stride)
                }
            }
        }
    }
}
