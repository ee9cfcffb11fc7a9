import OctetIR
import Testing

@Suite("Verifier")
struct VerifierTests {
    /// x → relu → y: the base every rejection below breaks in one way.
    static func valid() -> Graph {
        makeGraph(inputs: [("x", .f32, ["N", 4])],
                  nodes: [Node(name: "relu", op: .unary(.relu), inputs: ["x"], outputs: ["h"]),
                          Node(name: "sig", op: .unary(.sigmoid), inputs: ["h"], outputs: ["y"])],
                  outputs: ["y"])
    }

    @Test func acceptsAValidGraph() throws {
        try Self.valid().verify()
    }

    struct Rejection: CustomTestStringConvertible, Sendable {
        var label: String
        var edit: @Sendable (inout Graph) -> Void
        var message: String
        var testDescription: String { label }
    }

    static let rejections: [Rejection] = [
        Rejection(label: "value defined twice", edit: { $0.nodes[1].outputs = ["h"]; $0.outputs[0].name = "h" },
                  message: #"value "h" is defined twice: by node "relu" and by node "sig""#),
        Rejection(label: "initializer shadows an input", edit: { $0.initializers["x"] = zeros([4]) },
                  message: #"value "x" is defined twice: by graph input "x" and by initializer "x""#),
        Rejection(label: "undefined input", edit: { $0.nodes[1].inputs = ["missing"] },
                  message: #"node "sig" reads "missing", which nothing defines"#),
        Rejection(label: "not topological", edit: { $0.nodes.swapAt(0, 1) },
                  message: #"node "sig" reads "h" before node "relu" defines it: nodes are not in topological order"#),
        Rejection(label: "output undefined", edit: { $0.outputs[0].name = "z" },
                  message: #"graph output "z" is not defined by any input, initializer or node"#),
        Rejection(label: "too many inputs", edit: { $0.nodes[0].inputs = ["x", "x"] },
                  message: #"node "relu": Relu takes 1 inputs, got 2"#),
        Rejection(label: "required input omitted", edit: {
                      $0.nodes[0] = Node(name: "mm", op: .matMul, inputs: ["x", ""], outputs: ["h"])
                  },
                  message: #"node "mm": MatMul input 2 is required but omitted"#),
        Rejection(label: "perm not a permutation", edit: {
                      $0.nodes[0] = Node(name: "t", op: .transpose(perm: [1, 1]), inputs: ["x"], outputs: ["h"])
                  },
                  message: #"node "t": perm [1, 1] is not a permutation of 0..<2"#),
        Rejection(label: "negative stride", edit: {
                      $0.nodes[0] = Node(name: "p", op: .maxPool(PoolAttributes(kernelShape: [2], strides: [0])), inputs: ["x"], outputs: ["h"])
                  },
                  message: #"node "p": strides [0] must be positive"#),
        Rejection(label: "unnamed node", edit: { $0.nodes[1].name = ""; $0.nodes[1].inputs = ["nope"] },
                  message: #"Sigmoid node producing "y" reads "nope", which nothing defines"#),
    ]

    @Test(arguments: rejections)
    func rejects(_ r: Rejection) {
        var g = Self.valid()
        r.edit(&g)
        #expect(irErrorMessage { try g.verify() } == r.message)
    }

    @Test func groupMustDivideChannelsWhenShapesAreKnown() {
        let g = singleNode(.conv(ConvAttributes(group: 3)), inputs: [("x", [1, 4, 8, 8])],
                           initializers: ["w": zeros([6, 1, 3, 3])], extraInputs: ["w"])
        #expect(irErrorMessage { try g.verify() } == #"node "n": input has 4 channels, weight expects 3 (1 per group × group 3)"#)
    }

    @Test func groupMustBePositive() {
        let g = singleNode(.conv(ConvAttributes(group: 0)), inputs: [("x", [1, 4, 8, 8])],
                           initializers: ["w": zeros([6, 4, 3, 3])], extraInputs: ["w"])
        #expect(irErrorMessage { try g.verify() } == #"node "n": group is 0, must be at least 1"#)
    }

    @Test func splitOutputCountMustMatch() {
        let g = singleNode(.split(axis: 0, numOutputs: 3), inputs: [("x", [6])], outputs: ["a", "b"])
        #expect(irErrorMessage { try g.verify() } == #"node "n": num_outputs is 3 but the node has 2 outputs"#)
    }
}
