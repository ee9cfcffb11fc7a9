import Foundation
import Octet
import OctetCPU
import OctetFormats
import OctetIR
import OctetPasses
import OctetTestSupport
import Testing

/// A batch on several threads runs as parts, one thread each, only where every image depends on itself
/// alone; each image then gets the bits it gets when run alone.
@Suite struct BatchSplitTests {
    static func oneOp(_ op: Op, extra: [String: Tensor] = [:]) throws -> Graph {
        let inputs = ["x"] + extra.keys.sorted()
        return try Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.symbolic("n"), .fixed(4)])],
                         outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
                         nodes: [Node(name: "op", op: op, inputs: inputs, outputs: ["y"])],
                         initializers: extra).inferringShapes()
    }

    @Test func imageByImageGraphsSplitAndMixingOnesDoNot() throws {
        let backend = CPUBackend(threads: 2)
        #expect(backend.splitsBatches(try Self.oneOp(.unary(.relu))))
        #expect(backend.splitsBatches(try Self.oneOp(.softmax(axis: 1))))
        #expect(CPUBackend(threads: 1).splitsBatches(try Self.oneOp(.unary(.relu))))
        // Softmax over the batch, a Reshape that folds the batch away, a Gemm that takes the batch as K.
        #expect(!backend.splitsBatches(try Self.oneOp(.softmax(axis: 0))))
        #expect(!backend.splitsBatches(try Self.oneOp(.softmax(axis: -2))))
        #expect(!backend.splitsBatches(try Self.oneOp(.reshape(allowZero: false),
                                                      extra: ["shape": Tensor(shape: [2], int64s: [1, -1])])))
        // A shape fed as an input, whose length happens to equal the batch: a parameter, not images.
        let fedShape = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(2), .fixed(3), .fixed(4)]),
                                          ValueInfo(name: "shape", dtype: .i64, shape: [.fixed(2)])],
                                 outputs: [ValueInfo(name: "y", dtype: .f32, shape: [.fixed(2), .fixed(12)])],
                                 nodes: [Node(name: "r", op: .reshape(allowZero: false), inputs: ["x", "shape"],
                                              outputs: ["y"])])
        #expect(!backend.splitsBatches(fedShape))
        // Two inputs added with broadcasting: [2] meets the last axis of [2, 3, 2], not the batch.
        let broadcast = try Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.fixed(2), .fixed(3), .fixed(2)]),
                                           ValueInfo(name: "b", dtype: .f32, shape: [.fixed(2)])],
                                  outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
                                  nodes: [Node(name: "add", op: .binary(.add), inputs: ["x", "b"], outputs: ["y"])]).inferringShapes()
        #expect(!backend.splitsBatches(broadcast))
        var transA = GemmAttributes()
        transA.transA = true
        #expect(!backend.splitsBatches(try Self.oneOp(.gemm(transA),
                                                      extra: ["w": Tensor(shape: [4, 4], floats: Array(repeating: 1, count: 16))])))
    }

    /// A run holds as many images as keep its largest value within 4 MiB, and the threads each get one.
    @Test func runsHoldWhatFitsTheCaches() throws {
        // Each image's largest value is 4 floats: thousands fit, so the batch is only shared out.
        let small = try Self.oneOp(.unary(.relu))
        #expect(CPUBackend(threads: 2).imagesPerRun(small, batch: 16) == 8)
        #expect(CPUBackend(threads: 1).imagesPerRun(small, batch: 16) == 16)
        #expect(CPUBackend(threads: 2).imagesPerRun(small, batch: 3) == 2)
        // A declared size past Int.max bytes saturates instead of trapping: one image a run.
        let huge = Graph(inputs: [ValueInfo(name: "x", dtype: .f32, shape: [.symbolic("n"), .fixed(1 << 40), .fixed(1 << 40)])],
                         outputs: [ValueInfo(name: "y", dtype: .f32, shape: nil)],
                         nodes: [Node(name: "op", op: .unary(.relu), inputs: ["x"], outputs: ["y"])],
                         valueInfo: ["y": ValueInfo(name: "y", dtype: .f32, shape: [.symbolic("n"), .fixed(1 << 40), .fixed(1 << 40)])])
        #expect(CPUBackend(threads: 2).imagesPerRun(huge, batch: 16) == 1)
        // MobileNetV2's largest value is 96 x 112 x 112 floats (4.8 MB): one image a run.
        let mobileNet = try ModelLoader.load(.onnx(path: Paths.fixture("mobilenet_v2.onnx").path))
        #expect(CPUBackend(threads: 1).imagesPerRun(mobileNet, batch: 16) == 1)
        #expect(CPUBackend(threads: 2).imagesPerRun(mobileNet, batch: 16) == 1)
    }

    @Test func mobileNetBatchGivesEachImageItsOwnBits() throws {
        let graph = try ModelLoader.load(.onnx(path: Paths.fixture("mobilenet_v2.onnx").path))
        #expect(CPUBackend(threads: 2).splitsBatches(graph))
        let image = try NPY.read(path: Paths.fixture("reference/mobilenet_v2/input.npy").path).floatValues()
        let images = [image, image.map { $0 * 0.5 }, image.reversed()]
        let batch = Tensor(shape: [3, 3, 224, 224], floats: Array(images.joined()))
        let (input, output) = (graph.inputs[0].name, graph.outputs[0].name)
        let whole = try #require(try CPUBackend(threads: 2).compile(graph).run([input: batch])[output]).floatValues()
        #expect(whole.count == 3000)
        let alone = try CPUBackend(threads: 1).compile(graph)
        for (i, values) in images.enumerated() {
            let single = try #require(try alone.run([input: Tensor(shape: [1, 3, 224, 224], floats: values)])[output])
            #expect(Array(whole[(i * 1000)..<((i + 1) * 1000)]).map(\.bitPattern) == single.floatValues().map(\.bitPattern),
                    "image \(i)")
        }
    }
}
