/// Turns the decoded component planes into an `Image`: gray stays one channel, YCbCr becomes RGB
/// with libjpeg's 16-bit fixed-point tables, and Adobe/`RGB`-tagged files are copied as RGB.
///
/// R = Y + 1.402 (Cr - 128), G = Y - 0.34414 (Cb - 128) - 0.71414 (Cr - 128), B = Y + 1.772 (Cb - 128),
/// each product rounded as libjpeg's tables do (e.g. Cr = 255 adds (91881 · 127 + 32768) >> 16 = 178 to R).
struct JPEGColorConverter {
    let decoder: JPEGDecoder
    let frame: JPEGFrame

    private var isRGB: Bool {
        if decoder.sawJFIF { return false }
        if let transform = decoder.adobeTransform { return transform == 0 }
        return frame.components.map(\.id) == [0x52, 0x47, 0x42]
    }

    func image() throws(DataError) -> Image {
        let width = frame.width, height = frame.height, count = frame.components.count
        let channels = count == 1 ? 1 : 3
        let rowCapacity = frame.mcusX * frame.maxH * 8 + 16
        let scratch = (0..<count).map { _ in JPEGBuffer<UInt8>(repeating: 0, count: rowCapacity) }
        let methods = frame.components.map { JPEGUpsampling.method(for: $0, frame: frame) }
        let planes = decoder.planes.map(\.pointer)
        let tables = JPEGColorTables()
        let ycc = !isRGB
        var rows = [UnsafeMutablePointer<UInt8>](repeating: scratch[0].pointer, count: 3)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        pixels.withUnsafeMutableBufferPointer { output in
            guard let base = output.baseAddress else { return }
            for y in 0..<height {
                for ci in 0..<count {
                    let c = frame.components[ci]
                    if case .fullSize = methods[ci] {
                        rows[ci] = planes[ci] + y * c.stride
                    } else {
                        JPEGUpsampling.row(y, method: methods[ci], plane: planes[ci], c: c, out: scratch[ci].pointer)
                        rows[ci] = scratch[ci].pointer
                    }
                }
                let out = base + y * width * channels
                if count == 1 {
                    out.update(from: rows[0], count: width)
                } else if ycc {
                    tables.convert(rows[0], rows[1], rows[2], width: width, into: out)
                } else {
                    let r0 = rows[0], r1 = rows[1], r2 = rows[2]
                    for x in 0..<width {
                        out[3 * x] = r0[x]
                        out[3 * x + 1] = r1[x]
                        out[3 * x + 2] = r2[x]
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }
}

/// libjpeg's jdcolor tables: each chroma term precomputed for all 256 values.
final class JPEGColorTables {
    private let crR = JPEGBuffer<Int32>(repeating: 0, count: 256)
    private let cbB = JPEGBuffer<Int32>(repeating: 0, count: 256)
    private let crG = JPEGBuffer<Int32>(repeating: 0, count: 256)
    private let cbG = JPEGBuffer<Int32>(repeating: 0, count: 256)

    /// libjpeg's FIX(x): x in 16-bit fixed point, rounded.
    private static func fix(_ x: Double) -> Int { Int(x * 65536 + 0.5) }

    init() {
        let half = 1 << 15
        for i in 0..<256 {
            let x = i - 128
            crR.pointer[i] = Int32((Self.fix(1.40200) * x + half) >> 16)
            cbB.pointer[i] = Int32((Self.fix(1.77200) * x + half) >> 16)
            crG.pointer[i] = Int32(-Self.fix(0.71414) * x)
            cbG.pointer[i] = Int32(-Self.fix(0.34414) * x + half)
        }
    }

    @inline(__always)
    func convert(
        _ luma: UnsafeMutablePointer<UInt8>, _ cb: UnsafeMutablePointer<UInt8>, _ cr: UnsafeMutablePointer<UInt8>,
        width: Int, into out: UnsafeMutablePointer<UInt8>
    ) {
        let crR = crR.pointer, cbB = cbB.pointer, crG = crG.pointer, cbG = cbG.pointer
        for x in 0..<width {
            let y = Int32(luma[x]), b = Int(cb[x]), r = Int(cr[x])
            out[3 * x] = clamp(y &+ crR[r])
            out[3 * x + 1] = clamp(y &+ ((cbG[b] &+ crG[r]) &>> 16))
            out[3 * x + 2] = clamp(y &+ cbB[b])
        }
    }
}

@inline(__always)
private func clamp(_ x: Int32) -> UInt8 { UInt8(truncatingIfNeeded: min(max(x, 0), 255)) }
