import OctetIR

/// The ops that move elements without arithmetic, as detectors and OCR models use them between their convs:
/// Transpose, Slice, Split, Pad, Expand, and Resize (nearest moves; linear and cubic weigh their taps).
extension OpCatalog {
    static var moves: [OpCase] { transposes + slices + splits + pads + expands + resizes }

    private static let f32 = OpCase.Fill.uniform(-4, 4), u8 = OpCase.Fill.integers(.u8, 0...255)

    private static var transposes: [OpCase] {
        func transpose(_ fill: OpCase.Fill, _ x: [Int], _ perm: [Int]?) -> OpCase {
            let type = OpCase.Operand.input("x", x, fill).dtype
            return OpCase("Transpose \(type.rawValue) \(text(x)) perm \(perm.map { text($0) } ?? "reversed")",
                          .transpose(perm: perm), [.input("x", x, fill)])
        }
        return [transpose(f32, [2, 3, 4, 5], [0, 2, 3, 1]), transpose(u8, [3, 5, 7], nil), transpose(f32, [1, 6, 9], [0, 2, 1])]
    }

    private static var slices: [OpCase] {
        func slice(_ x: [Int], starts: [Int64], ends: [Int64], axes: [Int64]?, steps: [Int64]?) -> OpCase {
            OpCase("Slice \(text(x)) starts \(starts) ends \(ends) axes \(axes.map { "\($0)" } ?? "all") steps \(steps.map { "\($0)" } ?? "1")",
                   .slice, [.input("x", x, f32), .constant("starts", vector(.i64, starts)), .constant("ends", vector(.i64, ends)),
                            axes.map { .constant("axes", vector(.i64, $0)) }, steps.map { .constant("steps", vector(.i64, $0)) }])
        }
        return [
            slice([3, 8, 9, 9], starts: [1, 2], ends: [7, 9], axes: [1, 3], steps: [2, 3]),
            slice([2, 5, 6], starts: [-1, Int64.max], ends: [Int64.min, -7], axes: [2, 1], steps: [-2, -1]),
            slice([4, 7], starts: [0, 1], ends: [3, 100], axes: nil, steps: nil),
        ]
    }

    private static var splits: [OpCase] {
        func split(_ x: [Int], axis: Int, sizes: [Int64]?, outputs: Int) -> OpCase {
            let names = (0..<outputs).map { "y\($0)" }
            let node = Node(name: "node", op: .split(axis: axis, numOutputs: sizes == nil ? outputs : nil),
                            inputs: ["x"] + (sizes == nil ? [] : ["split"]), outputs: names)
            var operands: [OpCase.Operand] = [.input("x", x, f32)]
            if let sizes { operands.append(.constant("split", vector(.i64, sizes))) }
            return OpCase(name: "Split \(text(x)) axis \(axis) into \(sizes.map { "\($0)" } ?? "\(outputs)")", nodes: [node],
                          operands: operands, tolerance: .exact)
        }
        return [split([3, 10, 4, 5], axis: 1, sizes: [3, 2, 5], outputs: 3), split([2, 6, 9], axis: -1, sizes: nil, outputs: 3)]
    }

    private static var pads: [OpCase] {
        func pad(_ mode: PadMode, _ x: [Int], _ pads: [Int64], value: Float? = nil) -> OpCase {
            OpCase("Pad \(mode.rawValue) \(text(x)) pads \(pads)\(value.map { " value \($0)" } ?? "")", .pad(mode: mode),
                   [.input("x", x, f32), .constant("pads", vector(.i64, pads)),
                    value.map { .constant("value", Tensor(shape: [], floats: [$0])) }])
        }
        return [
            pad(.constant, [2, 3, 5, 6], [0, 0, 1, 2, 0, 0, 3, 1], value: 1.5),
            pad(.reflect, [1, 2, 5, 6], [0, 0, 2, 3, 0, 0, 3, 2]),
            pad(.edge, [1, 3, 4, 4], [0, 0, 1, 1, 0, 0, 2, 2]),
            pad(.wrap, [1, 2, 4, 5], [0, 0, 2, 1, 0, 0, 1, 3]),
            pad(.constant, [1, 3, 6, 6], [0, 0, -1, 2, 0, 0, -2, 1]),
        ]
    }

    private static var expands: [OpCase] {
        [OpCase("Expand [3,1,5] to [2,3,4,5]", .expand, [.input("x", [3, 1, 5], f32), .constant("shape", vector(.i64, [2, 3, 4, 5]))])]
    }

    private static var resizes: [OpCase] {
        func resize(_ fill: OpCase.Fill, _ x: [Int], _ a: ResizeAttributes, scales: [Float]? = nil, sizes: [Int64]? = nil,
                    roi: [Float]? = nil, tolerance: OpTolerance = .exact) -> OpCase {
            let type = OpCase.Operand.input("x", x, fill).dtype
            var name = "Resize \(a.mode.rawValue) \(a.coordinateTransformation.rawValue)"
            if a.mode == .nearest { name += " \(a.nearestMode.rawValue)" }
            name += " \(type.rawValue) \(text(x)) " + (scales.map { "scales \($0)" } ?? "sizes \(sizes ?? [])")
            return OpCase(name, .resize(a), [
                .input("x", x, fill),
                roi.map { .constant("roi", Tensor(shape: [$0.count], floats: $0)) },
                scales.map { .constant("scales", Tensor(shape: [$0.count], floats: $0)) },
                sizes.map { .constant("sizes", vector(.i64, $0)) },
            ], tolerance: tolerance)
        }
        func attributes(_ mode: ResizeAttributes.Mode, _ t: ResizeAttributes.CoordinateTransformation,
                        _ nearest: ResizeAttributes.NearestMode = .roundPreferFloor) -> ResizeAttributes {
            ResizeAttributes(mode: mode, coordinateTransformation: t, nearestMode: nearest, extrapolationValue: -7)
        }
        return [
            resize(f32, [1, 3, 5, 7], attributes(.nearest, .asymmetric, .floor), scales: [1, 1, 2, 2]),
            resize(u8, [3, 2, 7, 5], attributes(.nearest, .halfPixel), sizes: [3, 2, 11, 3]),
            resize(f32, [1, 2, 6, 9], attributes(.nearest, .alignCorners, .roundPreferCeil), scales: [1, 1, 0.5, 1.7]),
            resize(f32, [2, 3, 5, 6], attributes(.linear, .halfPixel), scales: [1, 1, 2, 2], tolerance: .rounding),
            resize(f32, [1, 2, 9, 8], attributes(.linear, .alignCorners), sizes: [1, 2, 4, 13], tolerance: .rounding),
            resize(f32, [1, 2, 6, 6], attributes(.cubic, .pytorchHalfPixel), scales: [1, 1, 1.5, 0.75], tolerance: .rounding),
            resize(f32, [1, 1, 5, 5], attributes(.linear, .tfCropAndResize), sizes: [1, 1, 4, 6],
                   roi: [0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3], tolerance: .rounding),
        ]
    }
}
