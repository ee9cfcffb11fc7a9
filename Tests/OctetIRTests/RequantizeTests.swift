import OctetIR
import Testing

/// The worked values of `Requantize` and `QLinearRules`, row for row as their doc tables print them.
@Suite struct RequantizeTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var acc: Int32, ratio: Float, zeroPoint: Int32, lower: Int32, upper: Int32, expected: Int32
        var testDescription: String { "\(acc) × \(ratio) + \(zeroPoint) in \(lower)...\(upper)" }
    }

    static let rows: [Row] = [
        Row(acc: 10, ratio: 0.25, zeroPoint: 0, lower: -128, upper: 127, expected: 2),
        Row(acc: 14, ratio: 0.25, zeroPoint: 0, lower: -128, upper: 127, expected: 4),
        Row(acc: -10, ratio: 0.25, zeroPoint: 3, lower: -128, upper: 127, expected: 1),
        Row(acc: 1000, ratio: 0.5, zeroPoint: 0, lower: -128, upper: 127, expected: 127),
        Row(acc: -1000, ratio: 0.5, zeroPoint: 128, lower: 0, upper: 255, expected: 0),
        Row(acc: -7, ratio: 1, zeroPoint: -128, lower: -128, upper: 127, expected: -128),
        Row(acc: 16_777_217, ratio: 1, zeroPoint: 0, lower: -128, upper: 127, expected: 127),
        Row(acc: Int32.max, ratio: 1e30, zeroPoint: 0, lower: 0, upper: 255, expected: 255),
    ]

    @Test(arguments: rows) func workedValues(_ row: Row) {
        #expect(Requantize.apply(row.acc, ratio: row.ratio, zeroPoint: row.zeroPoint, lower: row.lower,
                                 upper: row.upper) == row.expected)
    }

    /// Float32 rounding of the accumulator: 2^24 + 1 is not a float, so the product is taken of 2^24 and
    /// lands on the tie 0.5, which rounds to even (0); exact or double arithmetic gives 0.50000003 and 1.
    @Test func accumulatorRoundsToFloat32First() {
        #expect(Requantize.apply(16_777_217, ratio: 1.0 / 33_554_432, zeroPoint: 0, lower: -128, upper: 127) == 0)
        #expect(Requantize.apply(-16_777_217, ratio: 1.0 / 33_554_432, zeroPoint: 0, lower: -128, upper: 127) == 0)
    }

    /// The ratio multiplies first, as onnxruntime does: (sx · sw) / sy. On these scales the other order,
    /// sx · (sw / sy), is one bit higher; the bits were computed in float32 with numpy.
    @Test func ratioMultipliesBeforeDividing() {
        let cases: [(a: Float, b: Float, bits: UInt32)] = [(0.5541, 0.000648, 0x3C1E_90D0), (0.756, 0.010809, 0x3E61_8B89)]
        for c in cases {
            let r = Requantize.ratio(inputScale: c.a, weightScale: c.b, outputScale: 0.0371)
            #expect(r.bitPattern == c.bits, "\(c.a) × \(c.b) / 0.0371")
        }
    }

    @Test func boundsNarrowTheType() {
        #expect(Requantize.bounds(.i8) == (-128, 127))
        #expect(Requantize.bounds(.u8) == (0, 255))
        #expect(Requantize.bounds(.i8, IntegerBounds(lower: -5)) == (-5, 127))
        #expect(Requantize.bounds(.u8, IntegerBounds(lower: -5, upper: 300)) == (0, 255))
    }

    @Test func qlinearAddWorkedValues() {
        func add(_ a: Int32, _ sa: Float, _ b: Int32, _ sb: Float) -> Int32 {
            QLinearRules.Add(a: (sa, 0), b: (sb, 0), y: (1, 0), bounds: (-128, 127), signed: true).apply(a, b)
        }
        #expect(add(10, 0.5, 20, 0.25) == 10)
        #expect(add(3, 0.5, 0, 1) == 2)
        #expect(add(5, 0.5, 0, 1) == 2)
        #expect(add(100, 1, 100, 1) == 127)
        let shifted = QLinearRules.Add(a: (0.5, 10), b: (0.25, -4), y: (0.5, 3), bounds: (-128, 127), signed: true)
        // (20 - 10)·0.5 + (8 + 4)·0.25 = 8 → 8 / 0.5 + 3 = 19
        #expect(shifted.apply(20, 8) == 19)
    }

    @Test func globalAveragePoolWorkedValues() {
        let plain = QLinearRules.GlobalAveragePool(x: (1, 0), y: (1, 0), count: 49, bounds: (-128, 127))
        #expect(plain.apply(sum: 490) == 10)
        let shifted = QLinearRules.GlobalAveragePool(x: (0.5, 1), y: (0.5, 3), count: 49, bounds: (-128, 127))
        #expect(shifted.apply(sum: 98) == 4)
    }
}
