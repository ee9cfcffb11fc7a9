import Foundation
import OctetCPUKernels
import Testing

/// `octet_log`, the logarithm behind KL calibration: close to libm's, and the same bits on every path.
@Suite struct PortableLogTests {
    /// Positive normal numbers over the whole exponent range, plus the probabilities KL takes the log of.
    static let values: [Double] = {
        var state: UInt64 = 12345
        var out: [Double] = [1, 2, 0.5, .pi, 1e-12, 0.9999999999, 1.0000000001, Double.leastNormalMagnitude,
                             Double.greatestFiniteMagnitude, 2.squareRoot(), 0.5.squareRoot()]
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let mantissa = 1 + Double(state >> 12) / Double(1 << 52)
            let exponent = Int((state >> 3) % 2040) - 1020
            out.append(Foundation.scalbn(mantissa, exponent))
        }
        for k in 1...2000 { out.append(Double(k) / 1_234_567) }
        return out
    }()

    @Test func withinOneUnitInTheLastPlaceOfLibm() {
        var worst = 0.0
        for x in Self.values {
            let want = Foundation.log(x)
            let ulp = want == 0 ? Double.leastNonzeroMagnitude : want.ulp
            worst = max(worst, abs(octet_log(x) - want) / ulp)
        }
        #expect(worst <= 1, "worst error \(worst) ulp")
    }

    @Test func vectorPathGivesTheScalarBits() {
        if octet_cpu_has_avx512f() == 0 {
            print("SKIPPED: the AVX-512 logarithm: this CPU lacks the instructions")
            return
        }
        // A few values libm takes (zero, subnormal, negative, inf) inside otherwise normal groups of eight.
        var values = Self.values
        values[3] = 0
        values[20] = Double.leastNonzeroMagnitude
        values[37] = -1
        values[50] = .infinity
        var fast = [Double](repeating: 0, count: values.count), scalar = fast
        octet_logs(values, values.count, &fast, 1)
        octet_logs(values, values.count, &scalar, 0)
        #expect(zip(fast, scalar).filter { $0.bitPattern != $1.bitPattern }.count == 0)
        #expect(zip(values, scalar).allSatisfy { $1.bitPattern == octet_log($0).bitPattern })
        #expect(fast[3] == -.infinity && fast[37].isNaN && fast[50] == .infinity)
    }
}
