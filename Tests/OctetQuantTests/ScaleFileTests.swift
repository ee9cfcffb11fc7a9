import Foundation
import OctetQuant
import Testing

/// `--load-scales` files are read from disk: every field that reaches the written model is checked first.
@Suite struct ScaleFileTests {
    static func file(scale: String = "0.02", zeroPoint: String = "0", dtype: String = "\"int8\"") -> Data {
        Data("""
        {"format": "octet-scales-1", "tensors": {"relu_out": {"min": 0, "max": 2.5, "threshold": 2.5,
          "scale": \(scale), "zero_point": \(zeroPoint), "dtype": \(dtype), "mode": "max"}}}
        """.utf8)
    }

    static func message(_ data: Data) -> String? {
        do {
            _ = try ScaleFile.decode(data)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aWrittenFileReadsBackAsWritten() throws {
        let ranges = ["a": TensorRange(min: -1, max: 3, threshold: 3, scale: 0.0235, zeroPoint: -20, dtype: "int8", mode: .kl),
                      "b": TensorRange(min: 0, max: 6, threshold: 6, scale: 0.0235, zeroPoint: 0, dtype: "uint8", mode: .mse)]
        #expect(try ScaleFile.decode(ScaleFile.encode(ranges)) == ranges)
        // A file written by hand, as the format documents it, reads as its fields say.
        #expect(try ScaleFile.decode(Self.file()) == [
            "relu_out": TensorRange(min: 0, max: 2.5, threshold: 2.5, scale: 0.02, zeroPoint: 0, dtype: "int8", mode: .max),
        ])
    }

    @Test("A zero point outside its dtype is refused, naming the tensor",
          arguments: [("300", "\"int8\""), ("-129", "\"int8\""), ("-1", "\"uint8\""), ("256", "\"uint8\"")])
    func zeroPointOutsideItsType(_ zeroPoint: String, _ dtype: String) throws {
        let message = try #require(Self.message(Self.file(zeroPoint: zeroPoint, dtype: dtype)))
        #expect(message.contains("\"relu_out\"") && message.contains("zero_point \(zeroPoint)"), "\(message)")
    }

    @Test("An unknown dtype is refused rather than read as int8", arguments: ["\"int4\"", "\"\"", "\"INT8\""])
    func unknownDType(_ dtype: String) throws {
        let message = try #require(Self.message(Self.file(dtype: dtype)))
        #expect(message.contains("\"relu_out\"") && message.contains("is not int8 or uint8"), "\(message)")
    }

    @Test("A scale that is not a positive number is refused", arguments: ["0", "-0.5"])
    func badScale(_ scale: String) throws {
        let message = try #require(Self.message(Self.file(scale: scale)))
        #expect(message.contains("\"relu_out\""), "\(message)")
    }
}
