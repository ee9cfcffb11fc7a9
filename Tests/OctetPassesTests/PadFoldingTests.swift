import OctetCPU
import OctetIR
import OctetPasses
import Testing

/// A constant Pad before a convolution joins the convolution's padding, with the same results.
@Suite struct PadFoldingTests {
    static func graph(pads: [Int64], value: Tensor?, integer: Bool, extraReader: Bool = false) -> Graph {
        let x = ValueInfo(name: "x", dtype: integer ? .u8 : .f32, shape: [.fixed(1), .fixed(2), .fixed(5), .fixed(6)])
        var nodes = [
            Node(name: "pad", op: .pad(mode: .constant), inputs: ["x", "pads"] + (value == nil ? [] : ["value"]), outputs: ["p"]),
            integer ? Node(name: "conv", op: .convInteger(ConvAttributes(strides: [2, 2], pads: [1, 0, 0, 1])),
                           inputs: ["p", "w", "", "xz"], outputs: ["y"])
                : Node(name: "conv", op: .conv(ConvAttributes(strides: [2, 2], pads: [1, 0, 0, 1])), inputs: ["p", "w"],
                       outputs: ["y"]),
        ]
        var outputs = [ValueInfo(name: "y", dtype: nil, shape: nil)]
        if extraReader {
            nodes.append(Node(name: "other", op: .identity, inputs: ["p"], outputs: ["z"]))
            outputs.append(ValueInfo(name: "z", dtype: nil, shape: nil))
        }
        var initializers: [String: Tensor] = ["pads": Tensor(shape: [8], int64s: pads)]
        if let value { initializers["value"] = value }
        if integer {
            initializers["w"] = Tensor(shape: [3, 2, 3, 3], int8s: (0..<54).map { Int8($0 % 7 - 3) })
            initializers["xz"] = Tensor(shape: [], uint8s: [9])
        } else {
            initializers["w"] = Tensor(shape: [3, 2, 3, 3], floats: (0..<54).map { Float($0 % 7) - 3 })
        }
        return Graph(inputs: [x], outputs: outputs, nodes: nodes, initializers: initializers)
    }

    static func input(integer: Bool) -> Tensor {
        integer ? Tensor(shape: [1, 2, 5, 6], uint8s: (0..<60).map { UInt8(($0 * 37) % 251) })
            : Tensor(shape: [1, 2, 5, 6], floats: (0..<60).map { Float(($0 * 37) % 23) - 11 })
    }

    @Test(arguments: [(false, nil as Tensor?), (false, .scalar(0)), (true, Tensor(shape: [], uint8s: [9]))])
    func foldsAndKeepsTheResult(integer: Bool, value: Tensor?) throws {
        let graph = Self.graph(pads: [0, 0, 0, 1, 0, 0, 1, 0], value: value, integer: integer)
        let folded = try PadFolding().run(graph)
        #expect(folded.nodes.map(\.name) == ["conv"])
        switch folded.nodes[0].op {
        case .conv(let a), .convInteger(let a): #expect(a.pads == [1, 1, 1, 1])
        default: Issue.record("\(folded.nodes[0].op)")
        }
        let backend = CPUBackend(threads: 1), x = Self.input(integer: integer)
        #expect(try backend.compile(folded).run(["x": x])["y"] == backend.compile(graph).run(["x": x])["y"])
    }

    @Test(arguments: [
        ([0, 1, 0, 0, 0, 0, 0, 0] as [Int64], nil as Tensor?, false, false),   // pads a channel
        ([0, 0, 0, -1, 0, 0, 1, 0], nil, false, false),                       // crops
        ([0, 0, 1, 1, 0, 0, 1, 1], .scalar(1), false, false),                  // pads with 1
        ([0, 0, 1, 1, 0, 0, 1, 1], Tensor(shape: [], uint8s: [0]), true, false), // not the zero point
        ([0, 0, 1, 1, 0, 0, 1, 1], nil, false, true),                         // read elsewhere too
    ])
    func leavesOtherPadsAlone(pads: [Int64], value: Tensor?, integer: Bool, extraReader: Bool) throws {
        let graph = Self.graph(pads: pads, value: value, integer: integer, extraReader: extraReader)
        #expect(try PadFolding().run(graph).nodes.contains { $0.name == "pad" })
    }
}
