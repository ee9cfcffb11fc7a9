import Foundation
import OctetCPU
import OctetIR
import OctetQuant
import Testing

/// Linear streams (conv outputs joined by Adds, no activation) found, equalized exactly, and kept in scale files.
@Suite struct StreamEqualizationTests {
    /// x -> a (1x1, 2 -> 3, bias) -> s1;  s1 -> e (1x1, 3 -> 4) -> Relu -> p (1x1, 4 -> 3, bias) -> s2;
    /// s3 = s1 + s2;  s3 -> out (1x1, 3 -> 2) -> y.  The stream is {s1, s2, s3}: a and p write it, e and out read it.
    static func network(outputs: [String] = ["y"], s3Reader: Op = .conv(ConvAttributes()), sharedWeight: Bool = false)
        throws -> Graph {
        func w(_ shape: [Int], _ seed: Int) -> Tensor {
            Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { Float((($0 + seed) * 7) % 13) / 6 - 1 })
        }
        var initializers: [String: Tensor] = [
            "wa": w([3, 2, 1, 1], 1), "ba": Tensor(shape: [3], floats: [0.5, -0.25, 2]),
            "we": w([4, 3, 1, 1], 2), "wp": w([3, 4, 1, 1], 3), "bp": Tensor(shape: [3], floats: [0.1, 0.2, -0.3]),
            "wo": w([2, 3, 1, 1], 4),
        ]
        // Channel 2 of s1 is far louder than the others, as MobileNetV2's stream channels are.
        initializers["wa"] = Tensor(shape: [3, 2, 1, 1], floats: [0.1, -0.05, 0.02, 0.03, 3, -2])
        var nodes = [
            Node(name: "a", op: .conv(ConvAttributes()), inputs: ["x", "wa", "ba"], outputs: ["s1"]),
            Node(name: "e", op: .conv(ConvAttributes()), inputs: ["s1", "we"], outputs: ["e1"]),
            Node(name: "r", op: .unary(.relu), inputs: ["e1"], outputs: ["r1"]),
            Node(name: "p", op: .conv(ConvAttributes()), inputs: ["r1", "wp", "bp"], outputs: ["s2"]),
            Node(name: "add", op: .binary(.add), inputs: ["s1", "s2"], outputs: ["s3"]),
            Node(name: "out", op: s3Reader, inputs: ["s3", "wo"], outputs: ["y"]),
        ]
        if case .unary = s3Reader { nodes[5].inputs = ["s3"] }
        if case .conv(let a) = s3Reader, a.group == 3 { initializers["wo"] = w([3, 1, 1, 1], 4) }
        if sharedWeight {
            nodes.append(Node(name: "twin", op: .conv(ConvAttributes()), inputs: ["s1", "wo"], outputs: ["t"]))
        }
        return try Graph(
            name: "stream",
            inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(1), .fixed(2), .fixed(4), .fixed(4)])],
            outputs: (outputs + (sharedWeight ? ["t"] : [])).map { ValueInfo(name: $0, dtype: .f32, shape: nil) },
            nodes: nodes, initializers: initializers).inferringShapes()
    }

    static func input(_ seed: Int) -> Tensor {
        Tensor(shape: [1, 2, 4, 4], floats: (0..<32).map { Float((($0 + seed * 3) * 11) % 19) / 5 - 1.5 })
    }

    @Test func theStreamIsFoundWithItsWritersAndReaders() throws {
        let graph = try Self.network()
        let streams = LinearStream.find(in: graph)
        #expect(streams == [LinearStream(tensors: ["s1", "s2", "s3"], producers: [0, 3], consumers: [1, 5], channels: 3)])
    }

    @Test("A stream that cannot be rescaled exactly is left alone", arguments: [
        "a stream tensor is a graph output", "a stream tensor is read by a Relu", "a grouped conv reads it",
        "a reader's weight is shared with another node",
    ])
    func refused(_ reason: String) throws {
        let graph: Graph
        switch reason {
        case "a stream tensor is a graph output": graph = try Self.network(outputs: ["y", "s3"])
        case "a stream tensor is read by a Relu": graph = try Self.network(s3Reader: .unary(.relu))
        case "a grouped conv reads it": graph = try Self.network(s3Reader: .conv(ConvAttributes(group: 3)))
        default: graph = try Self.network(sharedWeight: true)
        }
        #expect(LinearStream.find(in: graph).isEmpty, "\(reason)")
        #expect(!LinearStream.find(in: try Self.network()).isEmpty)
    }

    @Test func factorsFollowTheirTable() {
        #expect(StreamEqualization.factors(ranges: [4, 1, 0.25]) == [1, 0.5, 0.25])
        #expect(StreamEqualization.factors(ranges: [4, 0.01, 0]) == [1, 0.25, 0.25])
        #expect(StreamEqualization.factors(ranges: [0, 0]) == [1, 1])
        #expect(StreamEqualization.factors(ranges: [2, .nan]) == [1, 1])
    }

    /// The equalized graph computes the same outputs, and each stream channel's range becomes
    /// `range / factor = sqrt(range * max range)` (or 4x its own at the floor): closer together.
    @Test func equalizingIsExactAndEvensOutTheRanges() throws {
        let graph = try Self.network()
        let stream = try #require(LinearStream.find(in: graph).first)
        let watched = graph.exposing(stream.tensors)
        func maxima(_ g: Graph) throws -> [Float] {
            let model = try CPUBackend(threads: 1).compile(g)
            var m: [Float] = []
            for seed in 0..<3 {
                let out = try model.run(["x": Self.input(seed)])
                for t in stream.tensors { try StreamEqualization.accumulate(out[t]!, into: &m) }
            }
            return m
        }
        let before = try maxima(watched)
        let factors = StreamEqualization.factors(ranges: before)
        #expect(factors.contains { $0 < 1 } && factors.max() == 1)
        let equalized = try StreamEqualization.apply([stream.name: factors], to: graph)
        #expect(equalized.initializers["wa"] != graph.initializers["wa"] && equalized.initializers["wo"] != graph.initializers["wo"])
        let after = try maxima(equalized.exposing(stream.tensors))
        for c in before.indices {
            #expect(abs(after[c] - before[c] / factors[c]) <= 1e-5 * before.max()!, "channel \(c)")
        }
        #expect(after.max()! / after.min()! < before.max()! / before.min()!)
        let (a, b) = (try CPUBackend(threads: 1).compile(graph), try CPUBackend(threads: 1).compile(equalized))
        for seed in 0..<3 {
            let x = try a.run(["x": Self.input(seed)])["y"]!.floatValues()
            let y = try b.run(["x": Self.input(seed)])["y"]!.floatValues()
            #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        }
    }

    @Test func factorsThatDoNotFitTheGraphAreRefused() throws {
        let graph = try Self.network()
        for (factors, needle) in [(["s1": [Float]([1, 1])], "3 positive"), (["s1": [1, -1, 1]], "3 positive"),
                                  (["e1": [1, 1, 1, 1]], "not a linear stream")] {
            #expect(throws: QuantError.self) { try StreamEqualization.apply(factors, to: graph) }
            do { _ = try StreamEqualization.apply(factors, to: graph) } catch {
                #expect(error.description.contains(needle), "\(error)")
            }
        }
    }

    @Test func scaleFilesKeepTheFactors() throws {
        let ranges = ["s1": TensorRange(min: -1, max: 3, threshold: 3, scale: 0.0235, zeroPoint: 0, dtype: "int8", mode: .mse)]
        let data = try ScaleFile.encode(ranges, equalization: ["s1": [1, 0.5, 0.25]])
        let decoded = try ScaleFile.decodeWithEqualization(data)
        #expect(decoded.tensors == ranges && decoded.equalization == ["s1": [1, 0.5, 0.25]])
        #expect(try ScaleFile.decodeWithEqualization(ScaleFile.encode(ranges)).equalization.isEmpty)
        let hostile = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "0.25", with: "-0.25").utf8)
        #expect(throws: QuantError.self) { try ScaleFile.decodeWithEqualization(hostile) }
    }
}
