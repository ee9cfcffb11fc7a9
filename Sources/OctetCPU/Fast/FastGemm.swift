import OctetIR

/// A float Gemm or MatMul whose right operand (the weights) is packed once, run on many left operands.
public struct PreparedDense: Sendable {
    enum Addend: Sendable {
        case none
        /// β·C broadcast along rows: one value per output column (a dense bias, or a scalar repeated).
        case columns([Float])
        /// β·C broadcast along columns: one value per output row.
        case rows([Float])
        /// β·C of the full output shape.
        case full([Float])
    }

    let right: PackedRHS
    let alpha: Float
    let transA: Bool
    let addend: Addend
    /// MatMul: the left operand may have batch dimensions, flattened into rows; Gemm: exactly 2-D.
    let isMatMul: Bool

    /// Prepares `Gemm(A, B, C)` for a constant `B` (and `C`); nil when the fast path does not handle it.
    public init?(gemmB b: Tensor, c: Tensor?, attributes: GemmAttributes) {
        guard case .f32(let values) = b.storage, b.rank == 2, b.shape.allSatisfy({ $0 > 0 }) else { return nil }
        let (depth, columns) = attributes.transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        right = values.withUnsafeBufferPointer { p in
            PackedRHS(depth: depth, columns: columns, values: p.baseAddress!,
                      depthStride: attributes.transB ? 1 : columns, columnStride: attributes.transB ? depth : 1)
        }
        alpha = attributes.alpha
        transA = attributes.transA
        isMatMul = false
        guard let c, attributes.beta != 0 else {
            addend = .none
            return
        }
        guard case .f32(let cv) = c.storage else { return nil }
        let scaled = cv.map { $0 * attributes.beta }
        let shape = c.shape
        if shape.count <= 2 && scaled.count == 1 {
            addend = .columns(Array(repeating: scaled[0], count: columns))
        } else if shape == [columns] || shape == [1, columns] {
            addend = .columns(scaled)
        } else if shape.count == 2 && shape[1] == 1 {
            addend = .rows(scaled)
        } else if shape.count == 2 && shape[1] == columns {
            addend = .full(scaled)
        } else {
            return nil
        }
    }

    /// Prepares `MatMul(A, B)` for a constant 2-D `B`; nil when the fast path does not handle it.
    public init?(matMulB b: Tensor) {
        guard case .f32(let values) = b.storage, b.rank == 2, b.shape.allSatisfy({ $0 > 0 }) else { return nil }
        right = values.withUnsafeBufferPointer { p in
            PackedRHS(depth: b.shape[0], columns: b.shape[1], values: p.baseAddress!, depthStride: b.shape[1],
                      columnStride: 1)
        }
        alpha = 1
        transA = false
        addend = .none
        isMatMul = true
    }

    /// The product for left operand `a`, then the optional clamp; nil when `a` does not fit (the reference
    /// kernel then names the problem).
    public func run(_ a: Tensor, activation: FusedActivation? = nil, threads: Int) -> Tensor? {
        guard case .f32(let av) = a.storage, a.shape.allSatisfy({ $0 > 0 }) else { return nil }
        let depth = right.depth, columns = right.columns
        let rows: Int, outShape: [Int]
        if isMatMul {
            guard a.rank >= 2, a.shape[a.rank - 1] == depth else { return nil }
            rows = a.count / depth
            outShape = Array(a.shape.dropLast()) + [columns]
        } else {
            guard a.rank == 2, a.shape[transA ? 0 : 1] == depth else { return nil }
            rows = a.shape[transA ? 1 : 0]
            outShape = [rows, columns]
        }
        if case .rows(let r) = addend, r.count != rows { return nil }
        if case .full(let f) = addend, f.count != rows * columns { return nil }
        let count = rows * columns
        let output = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            av.withUnsafeBufferPointer { a in
                multiply(a.baseAddress!, rows: rows, into: out.baseAddress!, activation: activation, threads: threads)
            }
            initialized = count
        }
        return Tensor(shape: outShape, floats: output)
    }

    private func multiply(_ a: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>,
                          activation: FusedActivation?, threads: Int) {
        let depth = right.depth, columns = right.columns
        var addendValues: [Float] = []
        var bias: GEMMBias = .none
        switch addend {
        case .none: break
        case .columns(let v): addendValues = v
        case .rows(let v): addendValues = v
        case .full(let v):
            out.update(from: v, count: rows * columns)
            bias = .existing
        }
        addendValues.withUnsafeBufferPointer { values in
            switch addend {
            case .columns: bias = .columns(values.baseAddress!)
            case .rows: bias = .rows(values.baseAddress!)
            case .none, .full: break
            }
            let skinnyBias: UnsafePointer<Float>? = if case .columns = addend { values.baseAddress } else { nil }
            let skinny = rows <= SkinnyGEMM.maximumRows && !transA && alpha == 1
                && { if case .none = addend { true } else { skinnyBias != nil } }()
            if skinny {
                SkinnyGEMM.multiply(rows: rows, a: a, lda: depth, right, into: out, ldc: columns,
                                    columnBias: skinnyBias, activation: activation, threads: threads)
                return
            }
            let left = PackedLHS(rows: rows, depth: depth, values: a, rowStride: transA ? 1 : depth,
                                 depthStride: transA ? rows : 1, scale: alpha)
            right.panels.withUnsafeBufferPointer { panels in
                let floats = UnsafeRawPointer(panels.baseAddress!).assumingMemoryBound(to: Float.self)
                PackedGEMM.multiply(left, PrepackedRHS(panels: floats, depth: depth), columns: columns,
                                    into: out, ldc: columns, bias: bias, activation: activation, threads: threads)
            }
        }
    }
}

/// Gemm and MatMul on the fast kernels, packing the right operand for this call only.
public enum FastDense {
    /// `Gemm(A, B, C)` then the optional clamp; nil means "not handled here, use the reference".
    public static func gemm(a: Tensor, b: Tensor, c: Tensor?, attributes: GemmAttributes,
                            activation: FusedActivation? = nil, threads: Int) -> Tensor? {
        PreparedDense(gemmB: b, c: c, attributes: attributes)?.run(a, activation: activation, threads: threads)
    }

    /// `MatMul(A, B)` for a 2-D `B` and any left operand of rank 2 or more; nil means "use the reference".
    public static func matMul(a: Tensor, b: Tensor, threads: Int) -> Tensor? {
        PreparedDense(matMulB: b)?.run(a, threads: threads)
    }
}

extension FastDense {
    /// A Gemm node's inputs on the fast kernels; nil when they decline.
    static func gemm(_ attributes: GemmAttributes, _ ctx: KernelContext) -> Tensor? {
        guard let a = ctx.optionalInput(0), let b = ctx.optionalInput(1) else { return nil }
        return gemm(a: a, b: b, c: ctx.optionalInput(2), attributes: attributes, threads: ctx.threads)
    }

    /// A MatMul node's inputs on the fast kernels; nil when they decline.
    static func matMul(_ ctx: KernelContext) -> Tensor? {
        guard let a = ctx.optionalInput(0), let b = ctx.optionalInput(1) else { return nil }
        return matMul(a: a, b: b, threads: ctx.threads)
    }
}
