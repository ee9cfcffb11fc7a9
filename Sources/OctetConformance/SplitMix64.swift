/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit counter through a mixing function. Tiny, fast, and the
/// same numbers on every platform and Swift version, which Foundation's and the standard library's random
/// conversions do not promise; so a failing op case reproduces from its seed alone.
///
/// | seed | first `next()`       | second `next()`      |
/// |------|----------------------|----------------------|
/// | 0    | 0xE220A8397B1DCDAF   | 0x6E789E6AA1B965F4   |
public struct SplitMix64: Sendable, Equatable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The seed of the stream named `name` under `seed`: each op case draws from its own stream, so adding,
    /// removing or reordering cases leaves every other case's data unchanged. FNV-1a of the name's UTF-8.
    public init(seed: UInt64, stream name: String) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        state = seed ^ hash
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float in `[low, high)` from the top 24 bits: `low + (high - low) · k / 2^24`.
    public mutating func float(_ low: Float, _ high: Float) -> Float {
        let unit = Float(next() >> 40) / Float(1 << 24)
        return low + (high - low) * unit
    }

    /// An integer in `range`. The modulo's bias is below span / 2^64, nothing for the spans tests use.
    public mutating func integer(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        return span == 0 ? Int64(bitPattern: next()) : range.lowerBound &+ Int64(bitPattern: next() % span)
    }
}
