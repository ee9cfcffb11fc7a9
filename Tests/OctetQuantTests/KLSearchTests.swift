import OctetCPUKernels
import OctetQuant
import Testing

/// The fast paths of calibration against their definitions: KL's candidate search against the divergence
/// computed candidate by candidate, and the histogram's vector counting loop against bins known by hand.
@Suite struct KLSearchTests {
    /// Candidates whose divergences differ in any bit (or all of them, when the counts differ).
    static func differing(_ a: [Double], _ b: [Double]) -> Int {
        a.count != b.count ? max(a.count, b.count) : zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
    }

    /// A sparse histogram of whole counts: empty runs, a long tail, outliers at both ends.
    static func sparse(bins: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<bins).map { k in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Int(state >> 33) % 100
            let d = abs(k - bins / 2)
            if k == 0 || k == bins - 1 { return 3 }
            if r < 30 || d > bins / 3 && r < 80 { return 0 }
            return Double(r % 17 + max(0, 400 - d))
        }
    }

    @Test("The candidate search gives the definition's divergence bit for bit",
          arguments: ["relu6", "gaussian", "outlier"])
    func searchEqualsDefinitionOnFixtures(_ name: String) throws {
        let counts = try CalibratorTests.histogram(name).counts
        let fast = KLCalibrator.divergences(counts, quantizedBins: 255)
        #expect(!fast.isEmpty)
        #expect(Self.differing(fast, KLCalibrator.definitionDivergences(counts, quantizedBins: 255)) == 0)
    }

    @Test func searchEqualsDefinitionOnSparseAndFractionalCounts() {
        for seed: UInt64 in [1, 2, 3] {
            let counts = Self.sparse(bins: 1201, seed: seed)
            let fast = KLCalibrator.divergences(counts, quantizedBins: 255)
            #expect(fast.count == 1201 / 2 - 255 / 2 + 1)
            #expect(Self.differing(fast, KLCalibrator.definitionDivergences(counts, quantizedBins: 255)) == 0, "seed \(seed)")
            // Counts that are not whole numbers cannot be summed in another order: the definition's path.
            let fractional = counts.map { $0 * 0.3 }
            #expect(Self.differing(KLCalibrator.divergences(fractional, quantizedBins: 255),
                                   KLCalibrator.definitionDivergences(fractional, quantizedBins: 255)) == 0, "seed \(seed)")
        }
    }

    @Test func vectorDivergenceGivesThePortableBits() {
        if octet_cpu_has_avx512f() == 0 {
            print("SKIPPED: the AVX-512 divergence: this CPU lacks the instructions")
            return
        }
        let counts = Self.sparse(bins: 1201, seed: 5)
        let nq = 255
        var scratch = [Double](repeating: 0, count: 4 * counts.count + 2 * nq)
        var differing = 0, finite = 0
        for m in stride(from: 255, through: 1201, by: 7) {
            let start = (counts.count - m) / 2
            let groups = (0..<nq).map { Double($0 % 5) * 3.5 }
            let qZeros = groups.filter { $0 == 0 }.count * (m / nq)
            let qSum = groups.reduce(0, +) * Double(m / nq)
            let d = (Int32(0)...1).map { avx512 in
                counts.withUnsafeBufferPointer { h in
                    octet_kl_smoothed_divergence(h.baseAddress! + start, m, 7, 9, groups, nq, qZeros, qSum, 1e5, 2e-4,
                                                 1e-4, &scratch, avx512)
                }
            }
            if d[0].bitPattern != d[1].bitPattern { differing += 1 }
            if d[0].isFinite { finite += 1 }
        }
        #expect(differing == 0)
        #expect(finite > 100)
    }

    /// Values at bin centres land in their bin on every path; zeros are counted apart; ±limit go to the
    /// end bins.
    @Test("Histogram counting puts each value in its bin", arguments: [0, 1])
    func countingLoopFindsTheBins(_ avx512: Int32) throws {
        if avx512 == 1 && octet_cpu_has_avx512f() == 0 {
            print("SKIPPED: the AVX-512 counting loop: this CPU lacks the instructions")
            return
        }
        let bins = 101, limit = 2.5
        let width = 2 * limit / Double(bins)
        var values: [Float] = [], expected = [Double](repeating: 0, count: bins)
        for i in 0..<bins where i != bins / 2 {
            for _ in 0..<(i % 5 + 1) {
                values.append(Float(-limit + (Double(i) + 0.5) * width))
                expected[i] += 1
            }
            values.append(0)
        }
        values += [Float(limit), Float(-limit)]
        expected[bins - 1] += 1
        expected[0] += 1
        var counts = [Double](repeating: 0, count: bins)
        let zeros = values.withUnsafeBufferPointer { v in
            octet_histogram_add(v.baseAddress!, v.count, limit, Double(bins) / (2 * limit), bins, &counts, avx512)
        }
        #expect(zeros == bins - 1)
        #expect(counts == expected)
    }
}
