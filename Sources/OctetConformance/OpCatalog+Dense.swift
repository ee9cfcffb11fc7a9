import OctetIR

/// Float Conv, Gemm and MatMul: the layers left in float around a realized graph (a first convolution, a
/// classifier) and the whole of a float model. Weights are initializers, as backends pack them.
extension OpCatalog {
    static var convolutionAndDense: [OpCase] { convolutions + transposedConvolutions + gemms + matMuls }

    /// ConvTranspose as segmentation and text-detection heads upsample with it.
    private static var transposedConvolutions: [OpCase] {
        func convTranspose(_ label: String, _ x: [Int], out: Int, kernel: [Int], _ a: ConvTransposeAttributes,
                           bias: Bool = true) -> OpCase {
            OpCase("ConvTranspose \(label) \(text(x))", .convTranspose(a), [
                .input("x", x, .uniform(-1, 1)),
                .weight("w", [x[1], out / a.conv.group] + kernel, .uniform(-0.5, 0.5)),
                bias ? .weight("b", [out], .uniform(-1, 1)) : nil,
            ], tolerance: .accumulation)
        }
        return [
            convTranspose("2x2 s2", [1, 6, 7, 9], out: 4, kernel: [2, 2], ConvTransposeAttributes(conv: ConvAttributes(strides: [2, 2]))),
            convTranspose("3x3 s2 pads output_padding", [3, 4, 5, 6], out: 6, kernel: [3, 3],
                          ConvTransposeAttributes(conv: ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1]), outputPadding: [1, 1]),
                          bias: false),
            convTranspose("3x3 g2 dilation 2", [1, 4, 6, 5], out: 6, kernel: [3, 3],
                          ConvTransposeAttributes(conv: ConvAttributes(pads: [0, 1, 2, 0], dilations: [2, 2], group: 2))),
            convTranspose("4x4 s2 same_upper", [1, 3, 5, 5], out: 2, kernel: [4, 4],
                          ConvTransposeAttributes(conv: ConvAttributes(strides: [2, 2], autoPad: .sameUpper))),
            convTranspose("1-D k3 s3", [3, 2, 8], out: 3, kernel: [3], ConvTransposeAttributes(conv: ConvAttributes(strides: [3]))),
        ]
    }

    private static var convolutions: [OpCase] {
        func conv(_ label: String, _ x: [Int], out: Int, kernel: [Int], strides: [Int] = [], pads: [Int] = [],
                  dilations: [Int] = [], group: Int = 1, bias: Bool = true) -> OpCase {
            let attributes = ConvAttributes(strides: strides, pads: pads, dilations: dilations, group: group)
            return OpCase("Conv \(label)\(bias ? "" : " no bias") \(text(x))", .conv(attributes), [
                .input("x", x, .uniform(-1, 1)),
                .weight("w", [out, x[1] / group] + kernel, .uniform(-0.5, 0.5)),
                bias ? .weight("b", [out], .uniform(-1, 1)) : nil,
            ], tolerance: .accumulation)
        }
        let pad1 = [1, 1, 1, 1]
        return [
            conv("3x3", [1, 5, 11, 13], out: 10, kernel: [3, 3], pads: pad1),
            conv("3x3 s2 asymmetric pads", [3, 8, 15, 16], out: 12, kernel: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0],
                 bias: false),
            conv("1x1", [1, 16, 7, 9], out: 24, kernel: [1, 1]),
            conv("1x1 s2", [3, 7, 9, 9], out: 5, kernel: [1, 1], strides: [2, 2], bias: false),
            conv("7x7 s2 pad 3", [1, 3, 32, 29], out: 8, kernel: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3]),
            conv("5x5 dilation 2", [1, 4, 17, 17], out: 6, kernel: [5, 5], pads: [4, 4, 4, 4], dilations: [2, 2]),
            conv("grouped 3x3 g3", [1, 12, 10, 10], out: 9, kernel: [3, 3], pads: pad1, group: 3),
            conv("depthwise 3x3", [1, 8, 14, 14], out: 8, kernel: [3, 3], pads: pad1, group: 8),
            conv("depthwise 3x3 s2", [3, 7, 15, 13], out: 7, kernel: [3, 3], strides: [2, 2], pads: pad1, group: 7),
            conv("depthwise 5x5 20 channels", [3, 20, 7, 7], out: 20, kernel: [5, 5], pads: [2, 2, 2, 2], group: 20,
                 bias: false),
            conv("1-D k3", [3, 4, 19], out: 6, kernel: [3], pads: [1, 1]),
        ]
    }

    private static var gemms: [OpCase] {
        func gemm(_ a: [Int], _ b: [Int], c: [Int]?, _ attributes: GemmAttributes = GemmAttributes()) -> OpCase {
            var label = ""
            if attributes.transA { label += " transA" }
            if attributes.transB { label += " transB" }
            if attributes.alpha != 1 { label += " alpha \(attributes.alpha)" }
            if attributes.beta != 1 { label += " beta \(attributes.beta)" }
            let name = "Gemm\(label) \(text(a)) x \(text(b))" + (c.map { " + C \(text($0))" } ?? "")
            return OpCase(name, .gemm(attributes), [
                .input("a", a, .uniform(-1, 1)),
                .weight("b", b, .uniform(-0.5, 0.5)),
                c.map { .weight("c", $0, .uniform(-1, 1)) },
            ], tolerance: .accumulation)
        }
        return [
            gemm([5, 37], [37, 11], c: [11]),
            // A classifier: batch 1 and 3, weights stored [N, K].
            gemm([1, 200], [10, 200], c: [10], GemmAttributes(transB: true)),
            gemm([3, 64], [10, 64], c: [1, 10], GemmAttributes(transB: true)),
            gemm([37, 5], [37, 11], c: [5, 11], GemmAttributes(alpha: 0.5, beta: 2, transA: true)),
            gemm([29, 3], [13, 29], c: nil, GemmAttributes(alpha: 1.5, transA: true, transB: true)),
            gemm([7, 19], [19, 9], c: [], GemmAttributes(beta: 0.5)),
            gemm([6, 17], [17, 5], c: [6, 1]),
        ]
    }

    private static var matMuls: [OpCase] {
        func matMul(_ a: [Int], _ b: [Int], constantB: Bool = true) -> OpCase {
            OpCase("MatMul \(text(a)) x \(text(b))" + (constantB ? "" : " B as input"), .matMul, [
                .input("a", a, .uniform(-1, 1)),
                constantB ? .weight("b", b, .uniform(-0.5, 0.5)) : .input("b", b, .uniform(-0.5, 0.5)),
            ], tolerance: .accumulation)
        }
        return [matMul([5, 37], [37, 11]), matMul([1, 64], [64, 10]), matMul([3, 29], [29, 33]),
                matMul([7, 13], [13, 5], constantB: false),
                // Attention-shaped batches, and batch dims that broadcast.
                matMul([2, 3, 5, 7], [2, 3, 7, 4], constantB: false), matMul([1, 3, 5, 7], [2, 1, 7, 4], constantB: false),
                matMul([5, 6], [3, 6, 2])]
    }
}
