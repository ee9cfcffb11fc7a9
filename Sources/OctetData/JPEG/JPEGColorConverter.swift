/// Turns the decoded component planes into an `Image`: gray stays one channel, YCbCr becomes RGB
/// with libjpeg's 16-bit fixed-point tables, and Adobe/`RGB`-tagged files are copied as RGB.
///
/// R = Y + 1.402 (Cr - 128), G = Y - 0.34414 (Cb - 128) - 0.71414 (Cr - 128), B = Y + 1.772 (Cb - 128),
/// each product rounded as libjpeg's tables do (e.g. Cr = 255 adds (91881 · 127 + 32768) >> 16 = 178 to R).
struct JPEGColorConverter {
    let decoder: JPEGDecoder
    let frame: JPEGFrame

    /// libjpeg's FIX(x): x in 16-bit fixed point, rounded.
    private static func fix(_ x: Double) -> Int { Int(x * 65536 + 0.5) }

    private var isRGB: Bool {
        if decoder.sawJFIF { return false }
        if let transform = decoder.adobeTransform { return transform == 0 }
        return frame.components.map(\.id) == [0x52, 0x47, 0x42]
    }

    func image() throws(DataError) -> Image {
        let width = frame.width, height = frame.height, count = frame.components.count
        let channels = count == 1 ? 1 : 3
        let rowCapacity = frame.mcusX * frame.maxH * 8 + 16
        let rows = (0..<count).map { _ in JPEGBuffer<UInt8>(repeating: 0, count: rowCapacity) }
        let methods = frame.components.map { JPEGUpsampling.method(for: $0, frame: frame) }
        let planes = decoder.planes.map(\.pointer)
        let ycc = !isRGB
        let half = 1 << 15
        var crR = [Int](repeating: 0, count: 256), cbB = crR, crG = crR, cbG = crR
        for i in 0..<256 {
            let x = i - 128
            crR[i] = (Self.fix(1.40200) * x + half) >> 16
            cbB[i] = (Self.fix(1.77200) * x + half) >> 16
            crG[i] = -Self.fix(0.71414) * x
            cbG[i] = -Self.fix(0.34414) * x + half
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        pixels.withUnsafeMutableBufferPointer { output in
            guard let base = output.baseAddress else { return }
            for y in 0..<height {
                for ci in 0..<count {
                    JPEGUpsampling.row(y, method: methods[ci], plane: planes[ci], c: frame.components[ci], out: rows[ci].pointer)
                }
                let out = base + y * width * channels
                if count == 1 {
                    out.update(from: rows[0].pointer, count: width)
                    continue
                }
                let r0 = rows[0].pointer, r1 = rows[1].pointer, r2 = rows[2].pointer
                if !ycc {
                    for x in 0..<width {
                        out[3 * x] = r0[x]
                        out[3 * x + 1] = r1[x]
                        out[3 * x + 2] = r2[x]
                    }
                    continue
                }
                crR.withUnsafeBufferPointer { crR in
                    cbB.withUnsafeBufferPointer { cbB in
                        crG.withUnsafeBufferPointer { crG in
                            cbG.withUnsafeBufferPointer { cbG in
                                for x in 0..<width {
                                    let luma = Int(r0[x]), cb = Int(r1[x]), cr = Int(r2[x])
                                    out[3 * x] = clamp(luma + crR[cr])
                                    out[3 * x + 1] = clamp(luma + ((cbG[cb] + crG[cr]) >> 16))
                                    out[3 * x + 2] = clamp(luma + cbB[cb])
                                }
                            }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }
}

@inline(__always)
private func clamp(_ x: Int) -> UInt8 { UInt8(truncatingIfNeeded: min(max(x, 0), 255)) }
