import OctetIR

/// A 2-D sliding window's numbers as the kernels take them: sizes, strides, dilations and the padding before
/// each axis. Output sizes come from shape inference; the begin pads follow ONNX `auto_pad`.
struct WindowParameters: Equatable {
    var kernel: (r: Int, s: Int)
    var stride: (h: Int, w: Int)
    var dilation: (h: Int, w: Int)
    var padBegin: (top: Int, left: Int)
    var padEnd: (bottom: Int, right: Int)

    /// A 1-D window is the 2-D one of height 1, over `planar` shapes.
    init(kernel k: [Int], strides: [Int], dilations: [Int], pads: [Int], autoPad: AutoPad,
         input: (h: Int, w: Int), output: (h: Int, w: Int)) {
        let oneD = k.count == 1
        let kernel = oneD ? [1] + k : k
        let s = strides.isEmpty ? [1, 1] : oneD ? [1] + strides : strides
        let d = dilations.isEmpty ? [1, 1] : oneD ? [1] + dilations : dilations
        let pads = pads.isEmpty || !oneD ? pads : [0, pads[0], 0, pads[1]]
        self.kernel = (kernel[0], kernel[1])
        stride = (s[0], s[1])
        dilation = (d[0], d[1])
        func total(_ axis: Int, _ inSize: Int, _ outSize: Int) -> Int {
            max(0, (outSize - 1) * s[axis] + (kernel[axis] - 1) * d[axis] + 1 - inSize)
        }
        switch autoPad {
        case .notSet:
            let p = pads.isEmpty ? [0, 0, 0, 0] : pads
            padBegin = (p[0], p[1])
            padEnd = (p[2], p[3])
        case .valid:
            padBegin = (0, 0)
            padEnd = (0, 0)
        case .sameUpper, .sameLower:
            let th = total(0, input.h, output.h), tw = total(1, input.w, output.w)
            let upper = autoPad == .sameUpper
            padBegin = (upper ? th / 2 : (th + 1) / 2, upper ? tw / 2 : (tw + 1) / 2)
            padEnd = (th - padBegin.top, tw - padBegin.left)
        }
    }

    /// A 1-D tensor [N, C, W] seen as the 2-D [N, C, 1, W]: the same bytes, so the 2-D kernels run it.
    /// Nil for other ranks.
    static func planar(_ shape: [Int]) -> [Int]? {
        switch shape.count {
        case 3: [shape[0], shape[1], 1, shape[2]]
        case 4: shape
        default: nil
        }
    }

    static func == (a: WindowParameters, b: WindowParameters) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.dilation == b.dilation && a.padBegin == b.padBegin
            && a.padEnd == b.padEnd
    }

    /// stride_h, stride_w, pad_top, pad_left, dil_h, dil_w: the order every window kernel takes them in.
    var arguments: [PlannedArgument] {
        [.int(stride.h), .int(stride.w), .int(padBegin.top), .int(padBegin.left), .int(dilation.h), .int(dilation.w)]
    }
}
