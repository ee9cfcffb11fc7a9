import OctetIR

// Encoding of the ONNX messages. Fields are written in field-number order, so equal values give equal bytes.

extension TensorProto {
    /// A TensorProto holding `tensor` as raw little-endian data.
    init(_ tensor: Tensor, name: String) {
        self.name = name
        dims = tensor.shape.map { Int64($0) }
        switch tensor.storage {
        case .f32(let v): dataType = ONNXDataType.float; rawData = packLittleEndian(v)
        case .f16(let v): dataType = ONNXDataType.float16; rawData = packLittleEndian(v)
        case .i8(let v): dataType = ONNXDataType.int8; rawData = ArraySlice(v.map { UInt8(bitPattern: $0) })
        case .u8(let v): dataType = ONNXDataType.uint8; rawData = ArraySlice(v)
        case .i32(let v): dataType = ONNXDataType.int32; rawData = packLittleEndian(v)
        case .i64(let v): dataType = ONNXDataType.int64; rawData = packLittleEndian(v)
        case .bool(let v): dataType = ONNXDataType.bool; rawData = ArraySlice(v.map { $0 ? 1 : 0 })
        }
    }

    func encoded() -> ProtobufWriter {
        var w = ProtobufWriter()
        if !dims.isEmpty { w.packedInt64s(1, dims) }
        w.int64(2, Int64(dataType))
        if !name.isEmpty { w.string(8, name) }
        if let rawData { w.bytesField(9, rawData) }
        return w
    }
}

extension AttributeProto {
    func encoded() -> ProtobufWriter {
        var w = ProtobufWriter()
        w.string(1, name)
        switch kind {
        case .float: w.float(2, f)
        case .int: w.int64(3, i)
        case .string: w.bytesField(4, s)
        case .tensor: if let t { w.message(5, t.encoded()) }
        case .floats: w.packedFloats(7, floats)
        case .ints: w.packedInt64s(8, ints)
        case .strings: for s in strings { w.bytesField(9, s) }
        case .undefined, .graph, .tensors, .graphs, .sparseTensor, .sparseTensors, .typeProto, .typeProtos: break
        }
        w.int64(20, Int64(kind.rawValue))
        return w
    }

    static func float(_ name: String, _ v: Float) -> AttributeProto {
        var a = AttributeProto(); a.name = name; a.kind = .float; a.f = v; return a
    }

    static func int(_ name: String, _ v: Int) -> AttributeProto {
        var a = AttributeProto(); a.name = name; a.kind = .int; a.i = Int64(v); return a
    }

    static func ints(_ name: String, _ v: [Int]) -> AttributeProto {
        var a = AttributeProto(); a.name = name; a.kind = .ints; a.ints = v.map { Int64($0) }; return a
    }

    static func string(_ name: String, _ v: String) -> AttributeProto {
        var a = AttributeProto(); a.name = name; a.kind = .string; a.s = Array(v.utf8); return a
    }

    static func tensor(_ name: String, _ v: Tensor) -> AttributeProto {
        var a = AttributeProto(); a.name = name; a.kind = .tensor; a.t = TensorProto(v, name: ""); return a
    }
}

extension ValueInfoProto {
    func encoded() -> ProtobufWriter {
        var w = ProtobufWriter()
        w.string(1, name)
        var tensorType = ProtobufWriter()
        if let elemType { tensorType.int64(1, Int64(elemType)) }
        if let dims {
            var shape = ProtobufWriter()
            for d in dims {
                var dim = ProtobufWriter()
                switch d {
                case .value(let v): dim.int64(1, v)
                case .param(let p): dim.string(2, p)
                case .unknown: break
                }
                shape.message(1, dim)
            }
            tensorType.message(2, shape)
        }
        var type = ProtobufWriter()
        type.message(1, tensorType)
        w.message(2, type)
        return w
    }
}

extension NodeProto {
    func encoded() -> ProtobufWriter {
        var w = ProtobufWriter()
        for i in inputs { w.string(1, i) }
        for o in outputs { w.string(2, o) }
        if !name.isEmpty { w.string(3, name) }
        w.string(4, opType)
        for a in attributes { w.message(5, a.encoded()) }
        if !domain.isEmpty { w.string(7, domain) }
        return w
    }
}

extension GraphProto {
    func encoded() -> ProtobufWriter {
        var w = ProtobufWriter()
        for n in nodes { w.message(1, n.encoded()) }
        w.string(2, name)
        for t in initializers { w.message(5, t.encoded()) }
        for i in inputs { w.message(11, i.encoded()) }
        for o in outputs { w.message(12, o.encoded()) }
        for v in valueInfo { w.message(13, v.encoded()) }
        return w
    }
}

extension ModelProto {
    func encoded() -> ProtobufWriter {
        var w = ProtobufWriter()
        w.int64(1, irVersion)
        if !producerName.isEmpty { w.string(2, producerName) }
        if !producerVersion.isEmpty { w.string(3, producerVersion) }
        if let graph { w.message(7, graph.encoded()) }
        for o in opsets {
            var s = ProtobufWriter()
            s.string(1, o.domain)
            s.int64(2, o.version)
            w.message(8, s)
        }
        return w
    }
}
