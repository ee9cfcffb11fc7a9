import OctetCPUKernels
import OctetQuant
import Testing

/// The MSE calibrator's error kernel: its vector path against the portable one, and both against the
/// squared error written out.
@Suite struct MSEErrorsTests {
    /// Magnitudes of a sparse histogram (many empty distances, a long tail), with whole-number weights.
    static func magnitudes(seed: UInt64) -> (x: [Double], w: [Double]) {
        var state = seed
        var x: [Double] = [], w: [Double] = []
        for m in 0..<1003 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Int(state >> 33) % 100
            if r < 40 { continue }
            x.append(Double(m) * 0.0123)
            w.append(Double(r % 13 + max(0, 500 - m)))
        }
        return (x, w)
    }

    static func errors(_ x: [Double], _ w: [Double], thresholds: [Double], avx512: Int32) -> [Double] {
        var out = [Double](repeating: .nan, count: thresholds.count)
        octet_mse_errors(x, w, x.count, 127, thresholds, thresholds.count, &out, avx512)
        return out
    }

    @Test func vectorPathGivesThePortableBits() {
        if octet_cpu_has_avx512f() == 0 {
            print("SKIPPED: the AVX-512 MSE loop: this CPU lacks the instructions")
            return
        }
        for seed: UInt64 in [1, 2, 3] {
            let (x, w) = Self.magnitudes(seed: seed)
            let thresholds = (0..<600).map { (Double($0) + 0.5) * 0.0123 }
            let fast = Self.errors(x, w, thresholds: thresholds, avx512: 1)
            let portable = Self.errors(x, w, thresholds: thresholds, avx512: 0)
            #expect(zip(fast, portable).filter { $0.bitPattern != $1.bitPattern }.count == 0, "seed \(seed)")
        }
    }

    @Test(arguments: [0, 1] as [Int32])
    func errorsAreTheSquaredRoundingAndClippingError(_ avx512: Int32) {
        let path = avx512 == 1 && octet_cpu_has_avx512f() == 0 ? Int32(0) : avx512
        let (x, w) = Self.magnitudes(seed: 7)
        let thresholds = [0.0123 * 0.5, 0.4, 3.3, 12.4]
        let got = Self.errors(x, w, thresholds: thresholds, avx512: path)
        for (t, e) in zip(thresholds, got) {
            let scale = t / 127
            var want = 0.0
            for (v, c) in zip(x, w) {
                let q = min((v / scale).rounded(.toNearestOrEven), 127) * scale
                want += c * (v - q) * (v - q)
            }
            #expect(abs(e - want) <= 1e-12 * want, "threshold \(t): \(e) against \(want)")
        }
        // A threshold past every value only rounds; one below the smallest step clips everything to it.
        #expect(got[3] < got[1])
    }
}
