/// Raw DEFLATE (RFC 1951) decoding for zip entries: stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// The output never grows past the size the zip declares, so a hostile entry cannot expand without bound;
/// every malformed code, length or distance is an error naming the compressed byte where it was found.
enum Inflate {
    /// Decodes `input` into exactly `expectedSize` bytes.
    static func decode(_ input: ArraySlice<UInt8>, expectedSize: Int) throws -> [UInt8] {
        var state = InflateState(input: input, expectedSize: expectedSize)
        var last = false
        while !last {
            last = try state.bits(1) == 1
            switch try state.bits(2) {
            case 0: try state.storedBlock()
            case 1: try state.codes(InflateState.fixedCodes.literal, InflateState.fixedCodes.distance)
            case 2:
                let (literal, distance) = try state.dynamicCodes()
                try state.codes(literal, distance)
            default: throw state.error("block type 3 is reserved")
            }
        }
        guard state.output.count == expectedSize else {
            throw FormatError("deflate data inflates to \(state.output.count) bytes, the zip declares \(expectedSize)")
        }
        return state.output
    }
}

/// A canonical Huffman code: how many codes each length has, and the symbols in code order.
struct HuffmanCode {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int]
    /// More codes than bit patterns: no valid stream can use it.
    var oversubscribed = false
    /// Every bit pattern decodes to a symbol (or there are no codes at all).
    var complete: Bool
    /// One code of one bit: allowed to be incomplete (RFC 1951 §3.2.7 permits a single distance code).
    var singleCode: Bool

    /// Builds the code from each symbol's length in bits (0: unused; lengths are below 16).
    init(lengths: ArraySlice<Int>) {
        for length in lengths { counts[length] += 1 }
        var left = 1
        for length in 1..<16 {
            left = left << 1 - counts[length]
            if left < 0 { oversubscribed = true }
        }
        complete = left == 0 || counts[0] == lengths.count
        singleCode = lengths.count - counts[0] == 1 && counts[1] == 1
        var offsets = [Int](repeating: 0, count: 16)
        for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
        symbols = [Int](repeating: 0, count: lengths.count)
        guard !oversubscribed else { return }
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[length]] = symbol
            offsets[length] += 1
        }
    }

    /// Whether a block may use this code: never oversubscribed, complete unless it is a single code.
    var usable: Bool { !oversubscribed && (complete || singleCode) }
}

/// The bit reader and output buffer of one decode.
struct InflateState {
    let input: ArraySlice<UInt8>
    let expectedSize: Int
    var position: Int
    var bitBuffer: UInt32 = 0
    var bitCount = 0
    var output: [UInt8] = []

    init(input: ArraySlice<UInt8>, expectedSize: Int) {
        self.input = input
        self.expectedSize = expectedSize
        position = input.startIndex
        output.reserveCapacity(expectedSize)
    }

    func error(_ what: String) -> FormatError {
        FormatError("deflate data: \(what) (compressed byte \(position - input.startIndex))")
    }

    mutating func bits(_ count: Int) throws -> Int {
        while bitCount < count {
            guard position < input.endIndex else { throw error("compressed data ends early") }
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt32(count)) - 1))
        bitBuffer >>= UInt32(count)
        bitCount -= count
        return value
    }

    mutating func storedBlock() throws {
        bitBuffer = 0
        bitCount = 0
        guard input.endIndex - position >= 4 else { throw error("stored block header ends early") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == complement ^ 0xffff else { throw error("stored block length \(length) does not match its complement") }
        position += 4
        guard input.endIndex - position >= length else { throw error("stored block of \(length) bytes ends early") }
        guard length <= expectedSize - output.count else { throw overflow() }
        output.append(contentsOf: input[position..<(position + length)])
        position += length
    }

    func overflow() -> FormatError { error("inflated data is longer than the declared \(expectedSize) bytes") }

    /// Decodes one symbol, one bit at a time (codes are canonical, so each length's codes are consecutive).
    mutating func decode(_ code: HuffmanCode) throws -> Int {
        var value = 0, first = 0, index = 0
        for length in 1..<16 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - first < count { return code.symbols[index + value - first] }
            index += count
            first = (first + count) << 1
            value <<= 1
        }
        throw error("invalid Huffman code")
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                             35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                               1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                11, 11, 12, 12, 13, 13]

    /// Decodes literals and back-references until the end-of-block symbol.
    mutating func codes(_ literal: HuffmanCode, _ distance: HuffmanCode) throws {
        while true {
            let symbol = try decode(literal)
            if symbol < 256 {
                guard output.count < expectedSize else { throw overflow() }
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < Self.lengthBase.count else { throw error("invalid length symbol \(symbol)") }
            let length = Self.lengthBase[lengthIndex] + (try bits(Self.lengthExtra[lengthIndex]))
            let distanceSymbol = try decode(distance)
            guard distanceSymbol < Self.distanceBase.count else { throw error("invalid distance symbol \(distanceSymbol)") }
            let back = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
            guard back <= output.count else { throw error("distance \(back) reaches before the start of the output") }
            guard length <= expectedSize - output.count else { throw overflow() }
            // Byte by byte: a copy may overlap the bytes it is writing (distance < length repeats a run).
            var from = output.count - back
            for _ in 0..<length {
                output.append(output[from])
                from += 1
            }
        }
    }

    static let fixedCodes: (literal: HuffmanCode, distance: HuffmanCode) = {
        var lengths = [Int](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return (HuffmanCode(lengths: lengths[...]), HuffmanCode(lengths: [Int](repeating: 5, count: 30)[...]))
    }()

    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Reads a dynamic block's header: the code-length code, then the literal/length and distance codes.
    mutating func dynamicCodes() throws -> (HuffmanCode, HuffmanCode) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw error("dynamic block declares \(literalCount) literal and \(distanceCount) distance codes (at most 286 and 30)")
        }
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengths[Self.codeLengthOrder[i]] = try bits(3) }
        let lengthCode = HuffmanCode(lengths: codeLengths[...])
        guard !lengthCode.oversubscribed, lengthCode.complete else { throw error("invalid code-length code") }

        var lengths = [Int](repeating: 0, count: literalCount + distanceCount)
        var index = 0
        while index < lengths.count {
            let symbol = try decode(lengthCode)
            if symbol < 16 {
                lengths[index] = symbol
                index += 1
                continue
            }
            let repeated: Int, times: Int
            switch symbol {
            case 16:
                guard index > 0 else { throw error("length repeat with no previous length") }
                repeated = lengths[index - 1]
                times = 3 + (try bits(2))
            case 17:
                repeated = 0
                times = 3 + (try bits(3))
            default:
                repeated = 0
                times = 11 + (try bits(7))
            }
            guard times <= lengths.count - index else { throw error("code lengths run past the declared count") }
            for _ in 0..<times {
                lengths[index] = repeated
                index += 1
            }
        }
        guard lengths[256] != 0 else { throw error("dynamic block has no end-of-block code") }
        let literal = HuffmanCode(lengths: lengths[0..<literalCount])
        guard literal.usable else { throw error("invalid literal/length code (oversubscribed or incomplete)") }
        let distance = HuffmanCode(lengths: lengths[literalCount...])
        guard distance.usable else { throw error("invalid distance code (oversubscribed or incomplete)") }
        return (literal, distance)
    }
}
