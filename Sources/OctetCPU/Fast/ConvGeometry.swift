import OctetIR

/// The sizes of one 2-D convolution, with ONNX's defaults and `auto_pad` resolved for a given input.
struct ConvGeometry: Equatable {
    var batch: Int
    var inChannels: Int, height: Int, width: Int
    var outChannels: Int, group: Int
    var kernelHeight: Int, kernelWidth: Int
    var strideY: Int, strideX: Int
    var dilationY: Int, dilationX: Int
    var padTop: Int, padLeft: Int
    var outHeight: Int, outWidth: Int

    var inChannelsPerGroup: Int { inChannels / group }
    var outChannelsPerGroup: Int { outChannels / group }
    /// The GEMM depth of one group: channels × kernel taps.
    var depth: Int { inChannelsPerGroup * kernelHeight * kernelWidth }
    var inPlane: Int { height * width }
    var outPlane: Int { outHeight * outWidth }
    /// 1x1, stride 1, no padding: the NCHW input is already the GEMM's right operand.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && padTop == 0 && padLeft == 0
            && outHeight == height && outWidth == width
    }

    /// The geometry of `Conv(input, weight)`, or nil when it is not a well-formed 2-D float convolution
    /// (the reference kernel then reports what is wrong).
    init?(input: [Int], weight: [Int], attributes: ConvAttributes) {
        guard input.count == 4, weight.count == 4, attributes.group >= 1 else { return nil }
        let g = attributes.group
        guard input[1] % g == 0, weight[0] % g == 0, weight[1] == input[1] / g else { return nil }
        if let k = attributes.kernelShape, k != [weight[2], weight[3]] { return nil }
        func pair(_ v: [Int]) -> (Int, Int)? {
            if v.isEmpty { return (1, 1) }
            guard v.count == 2, v[0] >= 1, v[1] >= 1 else { return nil }
            return (v[0], v[1])
        }
        guard let (sy, sx) = pair(attributes.strides),
              let (dy, dx) = pair(attributes.dilations) else { return nil }
        let (kh, kw) = (weight[2], weight[3])
        guard kh >= 1, kw >= 1 else { return nil }
        let extentY = (kh - 1) * dy + 1, extentX = (kw - 1) * dx + 1
        let (h, w) = (input[2], input[3])
        var top = 0, left = 0, bottom = 0, right = 0
        switch attributes.autoPad {
        case .notSet:
            if !attributes.pads.isEmpty {
                guard attributes.pads.count == 4, attributes.pads.allSatisfy({ $0 >= 0 }) else { return nil }
                (top, left, bottom, right) = (attributes.pads[0], attributes.pads[1], attributes.pads[2], attributes.pads[3])
            }
        case .valid:
            break
        case .sameUpper, .sameLower:
            // Output = ceil(input / stride); the odd pad goes to the end (upper) or the start (lower).
            let totalY = max(0, ((h + sy - 1) / sy - 1) * sy + extentY - h)
            let totalX = max(0, ((w + sx - 1) / sx - 1) * sx + extentX - w)
            let upper = attributes.autoPad == .sameUpper
            top = upper ? totalY / 2 : totalY - totalY / 2
            left = upper ? totalX / 2 : totalX - totalX / 2
            bottom = totalY - top
            right = totalX - left
        }
        let oh = (h + top + bottom - extentY) / sy + 1
        let ow = (w + left + right - extentX) / sx + 1
        guard h + top + bottom >= extentY, w + left + right >= extentX, oh >= 1, ow >= 1 else { return nil }
        self.init(batch: input[0], inChannels: input[1], height: h, width: w, outChannels: weight[0], group: g,
                  kernelHeight: kh, kernelWidth: kw, strideY: sy, strideX: sx, dilationY: dy, dilationX: dx,
                  padTop: top, padLeft: left, outHeight: oh, outWidth: ow)
    }

    init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, group: Int,
         kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int, dilationY: Int, dilationX: Int,
         padTop: Int, padLeft: Int, outHeight: Int, outWidth: Int) {
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.group = group
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        self.padTop = padTop
        self.padLeft = padLeft
        self.outHeight = outHeight
        self.outWidth = outWidth
    }
}
