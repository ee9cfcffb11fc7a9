import OctetCPU
import OctetIR

/// SplitMix64: a tiny seeded generator, so every random case reproduces.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int32>) -> Int32 {
        range.lowerBound + Int32(next() % UInt64(Int64(range.upperBound) - Int64(range.lowerBound) + 1))
    }

    mutating func ints(_ count: Int, _ range: ClosedRange<Int32>) -> [Int32] { (0..<count).map { _ in int(range) } }

    /// A float in [low, high).
    mutating func float(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }
}

/// An 8-bit tensor of `type` holding `values`.
func int8Tensor(_ type: DType, shape: [Int], _ values: [Int32]) -> Tensor {
    type == .i8 ? Tensor(shape: shape, int8s: values.map { Int8($0) }) : Tensor(shape: shape, uint8s: values.map { UInt8($0) })
}

/// The same tensor with every byte flipped by 0x5A: run through the portable kernels (which write every
/// output) just before the input under test, it leaves wrong values in the freed output block that the next
/// output most likely reuses, so a kernel that skips writing part of its output fails instead of passing on
/// stale right answers. Through the kernel under test, the part it skips would keep an earlier run's answers.
func poisoned(_ t: Tensor) -> Tensor {
    switch t.storage {
    case .i8(let v): Tensor(shape: t.shape, int8s: v.map { $0 ^ 0x5A })
    case .u8(let v): Tensor(shape: t.shape, uint8s: v.map { $0 ^ 0x5A })
    default: t
    }
}

/// The range of an 8-bit type.
func int8Range(_ type: DType) -> ClosedRange<Int32> { type == .i8 ? -128...127 : 0...255 }

/// Straight loops for the integer kernels' definitions: no packing, no folding, no vectors.
enum IntegerOracle {
    /// acc[n][c][oy][ox] = bias[c] + Σ (x - xZero)(w - wZero[c]) over in-image taps.
    static func conv(x: [Int32], shape: [Int], xZero: Int32, w: [Int32], weightShape: [Int], wZero: [Int32],
                     bias: [Int32]?, strides: [Int], pads: [Int], dilations: [Int], group: Int) -> (acc: [Int32], shape: [Int]) {
        let (n, cin, h, wd) = (shape[0], shape[1], shape[2], shape[3])
        let (cout, cpg, kh, kw) = (weightShape[0], weightShape[1], weightShape[2], weightShape[3])
        let (sy, sx, dy, dx) = (strides[0], strides[1], dilations[0], dilations[1])
        let oh = (h + pads[0] + pads[2] - (kh - 1) * dy - 1) / sy + 1
        let ow = (wd + pads[1] + pads[3] - (kw - 1) * dx - 1) / sx + 1
        let outPerGroup = cout / group
        var acc = [Int32](repeating: 0, count: n * cout * oh * ow)
        for b in 0..<n {
            for c in 0..<cout {
                let g = c / outPerGroup
                let wz = wZero[wZero.count == 1 ? 0 : c]
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var sum: Int32 = bias?[c] ?? 0
                        for ci in 0..<cpg {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = oy * sy - pads[0] + ky * dy, ix = ox * sx - pads[1] + kx * dx
                                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                                    let xv = x[((b * cin + g * cpg + ci) * h + iy) * wd + ix] - xZero
                                    let wv = w[((c * cpg + ci) * kh + ky) * kw + kx] - wz
                                    sum &+= xv &* wv
                                }
                            }
                        }
                        acc[((b * cout + c) * oh + oy) * ow + ox] = sum
                    }
                }
            }
        }
        return (acc, [n, cout, oh, ow])
    }

    /// acc[m][n] = bias[n] + Σ_k (x[m][k] - xZero)(w[k][n] - wZero[n]).
    static func dense(x: [Int32], rows: Int, depth: Int, xZero: Int32, w: [Int32], channels: Int, wZero: [Int32],
                      bias: [Int32]?) -> [Int32] {
        (0..<rows * channels).map { i in
            let (m, c) = (i / channels, i % channels)
            var sum: Int32 = bias?[c] ?? 0
            for k in 0..<depth { sum &+= (x[m * depth + k] - xZero) &* (w[k * channels + c] - wZero[wZero.count == 1 ? 0 : c]) }
            return sum
        }
    }

    /// The epilogue, element by element; `channel(i)` is element i's output channel.
    static func apply(_ epilogue: IntegerEpilogue, _ acc: [Int32], shape: [Int], channel: (Int) -> Int) -> Tensor {
        switch epilogue {
        case .int32:
            return Tensor(shape: shape, int32s: acc)
        case .dequantize(let scales):
            return Tensor(shape: shape, floats: acc.indices.map { i in
                Float(acc[i]) * scales[scales.count == 1 ? 0 : channel(i)]
            })
        case .requantize(let ratios, let zeroPoint, let output, let lower, let upper):
            let values: [Int32] = acc.indices.map { i in
                let v = (Float(acc[i]) * ratios[ratios.count == 1 ? 0 : channel(i)]).rounded(.toNearestOrEven)
                let q = min(max(Double(v) + Double(zeroPoint), Double(lower)), Double(upper))
                return Int32(q)
            }
            return int8Tensor(output, shape: shape, values)
        }
    }

    /// Where `actual` first differs from `expected` bit for bit (floats by their bit patterns), or nil when
    /// they are identical; short, so a failure does not print whole tensors.
    static func mismatch(_ actual: Tensor?, _ expected: Tensor) -> String? {
        guard let actual else { return "no result" }
        guard actual.shape == expected.shape, actual.dtype == expected.dtype else {
            return "got \(actual.dtype) \(actual.shape), expected \(expected.dtype) \(expected.shape)"
        }
        func first<T: Equatable>(_ a: [T], _ b: [T]) -> String? {
            guard let i = a.indices.first(where: { a[$0] != b[$0] }) else { return nil }
            return "element \(i): got \(a[i]), expected \(b[i])"
        }
        switch (actual.storage, expected.storage) {
        case (.f32(let a), .f32(let b)): return first(a.map(\.bitPattern), b.map(\.bitPattern))
        case (.i32(let a), .i32(let b)): return first(a, b)
        case (.i8(let a), .i8(let b)): return first(a, b)
        case (.u8(let a), .u8(let b)): return first(a, b)
        default: return "unexpected storage \(actual.dtype)"
        }
    }
}
