// Decoding of the ONNX messages from protobuf wire format. Unknown fields are skipped, as protobuf requires.

extension TensorProto {
    init(from r: inout ProtobufReader) throws {
        byteOffset = r.offset
        while let (field, wt) = try r.nextField() {
            switch field {
            case 1: try r.appendInt64s(wt, to: &dims)
            case 2: dataType = try r.int32(wt)
            case 4: try r.appendFloats(wt, to: &floatData)
            case 5: try r.appendInt32s(wt, to: &int32Data)
            case 6: _ = try r.bytesField(wt); stringCount += 1
            case 7: try r.appendInt64s(wt, to: &int64Data)
            case 8: name = try r.string(wt)
            case 9: rawData = try r.bytesField(wt)
            case 10: try r.appendDoubles(wt, to: &doubleData)
            case 11: try r.appendUInt64s(wt, to: &uint64Data)
            case 13:
                var entry = try r.message(wt)
                var key = "", value = ""
                while let (f, w) = try entry.nextField() {
                    switch f {
                    case 1: key = try entry.string(w)
                    case 2: value = try entry.string(w)
                    default: try entry.skip(w)
                    }
                }
                externalData.append((key, value))
            case 14: isExternal = try r.int32(wt) == 1
            default: try r.skip(wt)
            }
        }
    }
}

extension AttributeProto {
    init(from r: inout ProtobufReader) throws {
        var declared: Int32?
        var seen: Kind = .undefined
        while let (field, wt) = try r.nextField() {
            switch field {
            case 1: name = try r.string(wt)
            case 20: declared = try r.int32(wt)
            case 21: refAttrName = try r.string(wt)
            case 2: f = try r.float(wt); seen = .float
            case 3: i = try r.int64(wt); seen = .int
            case 4: s = Array(try r.bytesField(wt)); seen = .string
            case 5:
                var sub = try r.message(wt)
                t = try TensorProto(from: &sub)
                seen = .tensor
            case 6: try r.skip(wt); seen = .graph
            case 7: try r.appendFloats(wt, to: &floats); seen = .floats
            case 8: try r.appendInt64s(wt, to: &ints); seen = .ints
            case 9: strings.append(Array(try r.bytesField(wt))); seen = .strings
            case 10: try r.skip(wt); seen = .tensors
            case 11: try r.skip(wt); seen = .graphs
            case 22: try r.skip(wt); seen = .sparseTensor
            default: try r.skip(wt)
            }
        }
        // Files older than IR version 2 may omit `type`; the field that was set says it.
        if let declared {
            guard let k = Kind(rawValue: declared) else {
                throw FormatError("attribute \"\(name)\" has unknown type \(declared)")
            }
            kind = k
        } else {
            kind = seen
        }
    }
}

extension ValueInfoProto {
    init(from r: inout ProtobufReader) throws {
        while let (field, wt) = try r.nextField() {
            switch field {
            case 1: name = try r.string(wt)
            case 2:
                var type = try r.message(wt)
                while let (f, w) = try type.nextField() {
                    switch f {
                    case 1:
                        var tensorType = try type.message(w)
                        try readTensorType(&tensorType)
                    case 4, 5, 8, 9: isTensor = false; try type.skip(w) // sequence, map, sparse, optional
                    default: try type.skip(w)
                    }
                }
            default: try r.skip(wt)
            }
        }
    }

    private mutating func readTensorType(_ r: inout ProtobufReader) throws {
        while let (field, wt) = try r.nextField() {
            switch field {
            case 1: elemType = try r.int32(wt)
            case 2:
                var shape = try r.message(wt)
                var out: [DimProto] = []
                while let (f, w) = try shape.nextField() {
                    guard f == 1 else { try shape.skip(w); continue }
                    var dim = try shape.message(w)
                    var d = DimProto.unknown
                    while let (df, dw) = try dim.nextField() {
                        switch df {
                        case 1: d = .value(try dim.int64(dw))
                        case 2: d = .param(try dim.string(dw))
                        default: try dim.skip(dw)
                        }
                    }
                    out.append(d)
                }
                dims = out
            default: try r.skip(wt)
            }
        }
    }
}

extension NodeProto {
    init(from r: inout ProtobufReader) throws {
        while let (field, wt) = try r.nextField() {
            switch field {
            case 1: inputs.append(try r.string(wt))
            case 2: outputs.append(try r.string(wt))
            case 3: name = try r.string(wt)
            case 4: opType = try r.string(wt)
            case 7: domain = try r.string(wt)
            case 5:
                var sub = try r.message(wt)
                attributes.append(try AttributeProto(from: &sub))
            default: try r.skip(wt)
            }
        }
    }
}

extension GraphProto {
    init(from r: inout ProtobufReader) throws {
        while let (field, wt) = try r.nextField() {
            switch field {
            case 1:
                var sub = try r.message(wt)
                nodes.append(try NodeProto(from: &sub))
            case 2: name = try r.string(wt)
            case 5:
                var sub = try r.message(wt)
                initializers.append(try TensorProto(from: &sub))
            case 15: try r.skip(wt); sparseInitializerCount += 1
            case 11, 12, 13:
                var sub = try r.message(wt)
                let info = try ValueInfoProto(from: &sub)
                if field == 11 { inputs.append(info) } else if field == 12 { outputs.append(info) } else { valueInfo.append(info) }
            default: try r.skip(wt)
            }
        }
    }
}

extension ModelProto {
    init(from r: inout ProtobufReader) throws {
        while let (field, wt) = try r.nextField() {
            switch field {
            case 1: irVersion = try r.int64(wt)
            case 2: producerName = try r.string(wt)
            case 3: producerVersion = try r.string(wt)
            case 7:
                var sub = try r.message(wt)
                graph = try GraphProto(from: &sub)
            case 8:
                var sub = try r.message(wt)
                var opset = OperatorSetID()
                while let (f, w) = try sub.nextField() {
                    switch f {
                    case 1: opset.domain = try sub.string(w)
                    case 2: opset.version = try sub.int64(w)
                    default: try sub.skip(w)
                    }
                }
                opsets.append(opset)
            case 25: try r.skip(wt); functionCount += 1
            default: try r.skip(wt)
            }
        }
    }
}
