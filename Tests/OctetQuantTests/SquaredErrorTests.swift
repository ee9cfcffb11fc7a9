import OctetCPUKernels
import Testing

/// `octet_squared_error`, how auto scores a candidate: the vector path against the portable one, and both
/// against the sums written out.
@Suite struct SquaredErrorTests {
    static func pair(_ n: Int) -> ([Float], [Float]) {
        var state: UInt64 = 99
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) % 20001 - 10000) / 997
        }
        let want = (0..<n).map { _ in next() }
        return (want.map { $0 + next() / 64 }, want)
    }

    static func sums(_ got: [Float], _ want: [Float], avx512: Int32) -> (Double, Double) {
        var error = 0.0, energy = 0.0
        octet_squared_error(got, want, got.count, &error, &energy, avx512)
        return (error, energy)
    }

    @Test func vectorPathGivesThePortableBits() {
        if octet_cpu_has_avx512f() == 0 {
            print("SKIPPED: the AVX-512 squared error: this CPU lacks the instructions")
            return
        }
        for n in [0, 5, 8, 1001, 4096] {
            let (got, want) = Self.pair(n)
            let fast = Self.sums(got, want, avx512: 1), portable = Self.sums(got, want, avx512: 0)
            #expect(fast.0.bitPattern == portable.0.bitPattern && fast.1.bitPattern == portable.1.bitPattern, "n \(n)")
        }
    }

    @Test(arguments: [0, 1] as [Int32])
    func sumsAreTheErrorAndTheEnergy(_ avx512: Int32) {
        let path = avx512 == 1 && octet_cpu_has_avx512f() == 0 ? Int32(0) : avx512
        let (got, want) = Self.pair(1001)
        let (error, energy) = Self.sums(got, want, avx512: path)
        var e = 0.0, w = 0.0
        for (g, v) in zip(got, want) {
            e += (Double(g) - Double(v)) * (Double(g) - Double(v))
            w += Double(v) * Double(v)
        }
        #expect(abs(error - e) <= 1e-12 * e && abs(energy - w) <= 1e-12 * w)
        #expect(error > 0 && energy > error)
    }
}
