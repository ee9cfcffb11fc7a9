/// The fixed-point constants of libjpeg's accurate integer DCT ("islow", Loeffler–Ligtenberg–Moschytz),
/// shared by the forward and the inverse transform: `round(c * 8192)`, and 2 extra bits kept after pass 1.
protocol JPEGIslowConstants {}

extension JPEGIslowConstants {
    static var constBits: Int { 13 }
    static var pass1Bits: Int { 2 }
    static var fix0_298631336: Int { 2446 }
    static var fix0_390180644: Int { 3196 }
    static var fix0_541196100: Int { 4433 }
    static var fix0_765366865: Int { 6270 }
    static var fix0_899976223: Int { 7373 }
    static var fix1_175875602: Int { 9633 }
    static var fix1_501321110: Int { 12299 }
    static var fix1_847759065: Int { 15137 }
    static var fix1_961570560: Int { 16069 }
    static var fix2_053119869: Int { 16819 }
    static var fix2_562915447: Int { 20995 }
    static var fix3_072711026: Int { 25172 }
}
