import OctetCPUKernels
import Testing

/// `octet_float_range`, the observers' range loop: NaN never wins, and the vector path gives the portable answer.
@Suite struct FloatRangeTests {
    static func range(_ values: [Float], avx512: Int32) -> (Float, Float, Int32) {
        var lo = Float.infinity, hi = -Float.infinity
        let nan = values.withUnsafeBufferPointer { octet_float_range($0.baseAddress, $0.count, &lo, &hi, avx512) }
        return (lo, hi, nan)
    }

    @Test(arguments: [0, 1] as [Int32])
    func smallestAndLargestWithoutNaN(_ avx512: Int32) {
        let path = avx512 == 1 && octet_cpu_has_avx512f() == 0 ? Int32(0) : avx512
        let values = (0..<1001).map { Float(($0 * 7919) % 1000) / 10 - 40 }
        #expect(Self.range(values, avx512: path) == (-40, 59.9, 0))
        var spoiled = values
        spoiled[17] = .nan
        spoiled[500] = .nan
        spoiled[1000] = -1000
        #expect(Self.range(spoiled, avx512: path) == (-1000, 59.9, 1))
        #expect(Self.range([], avx512: path) == (.infinity, -.infinity, 0))
        #expect(Self.range([.nan, .nan, .nan], avx512: path).2 == 1)
    }

    @Test func vectorPathGivesThePortableAnswer() {
        if octet_cpu_has_avx512f() == 0 {
            print("SKIPPED: the AVX-512 range loop: this CPU lacks the instructions")
            return
        }
        for n in [1, 15, 16, 17, 100, 4099] {
            for poison in [nil, Float.nan, .infinity, -.infinity] {
                var values = (0..<n).map { Float(($0 * 104_729) % 997) - 500 }
                if let poison { values[n / 2] = poison }
                let fast = Self.range(values, avx512: 1), portable = Self.range(values, avx512: 0)
                #expect(fast.0 == portable.0 && fast.1 == portable.1 && fast.2 == portable.2, "n \(n), \(String(describing: poison))")
            }
        }
    }
}
