/// The only globals a PyTorch pickle may name. Each is a tag: REDUCE applies the matching constructor
/// written here, which builds inert values; nothing is imported or called.
struct TorchGlobal {
    enum Kind {
        case orderedDict
        case rebuildTensor, rebuildTensorV2, rebuildTensorV3
        case rebuildParameter, rebuildParameterWithState, rebuildFromTypeV2
        /// `torch.Tensor` and `torch.nn.Parameter`: only as the type argument of `_rebuild_from_type_v2`.
        case tensorClass
        case storageClass(TorchElementType)
        case untypedStorage
        case dtype(TorchElementType)
        case size, device
        /// `torch.jit._pickle.build_intlist` and friends, which return their list argument.
        case jitList
        /// `torch.jit._pickle.restore_type_tag`, which returns its first argument.
        case jitTypeTag
        /// A TorchScript class (`__torch__.…`): NEWOBJ builds an inert `PickleObject`.
        case scriptClass
    }

    /// `module.name`, as the pickle spells it.
    let name: String
    let kind: Kind

    /// The whitelisted global, or nil. `__torch__` classes are allowed only in TorchScript archives.
    static func resolve(module: String, name: String, allowScriptClasses: Bool) -> TorchGlobal? {
        let full = module + "." + name
        let kind: Kind?
        switch (module, name) {
        case ("collections", "OrderedDict"): kind = .orderedDict
        case ("torch._utils", "_rebuild_tensor"): kind = .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): kind = .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor_v3"): kind = .rebuildTensorV3
        case ("torch._utils", "_rebuild_parameter"): kind = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): kind = .rebuildParameterWithState
        case ("torch._tensor", "_rebuild_from_type_v2"): kind = .rebuildFromTypeV2
        case ("torch._tensor", "Tensor"), ("torch", "Tensor"), ("torch.nn.parameter", "Parameter"): kind = .tensorClass
        case ("torch", "UntypedStorage"), ("torch.storage", "UntypedStorage"): kind = .untypedStorage
        case ("torch", "Size"): kind = .size
        case ("torch", "device"): kind = .device
        case ("torch.jit._pickle", "build_intlist"), ("torch.jit._pickle", "build_doublelist"),
             ("torch.jit._pickle", "build_boollist"), ("torch.jit._pickle", "build_tensorlist"):
            kind = allowScriptClasses ? .jitList : nil
        case ("torch.jit._pickle", "restore_type_tag"): kind = allowScriptClasses ? .jitTypeTag : nil
        case ("torch", _):
            if let type = TorchElementType(storageClass: name) { kind = .storageClass(type) }
            else if let type = TorchElementType(dtypeName: name) { kind = .dtype(type) }
            else { kind = nil }
        default:
            kind = allowScriptClasses && isScriptClassName(module: module, name: name) ? .scriptClass : nil
        }
        return kind.map { TorchGlobal(name: full, kind: $0) }
    }

    /// `__torch__` followed by dotted identifiers: the names TorchScript gives compiled classes.
    private static func isScriptClassName(module: String, name: String) -> Bool {
        func identifier(_ s: Substring) -> Bool {
            guard let first = s.first, first == "_" || first.isASCII && first.isLetter else { return false }
            return s.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        let parts = module.split(separator: ".", omittingEmptySubsequences: false)
        return parts.first == "__torch__" && parts.allSatisfy(identifier) && identifier(name[...])
    }
}

/// What REDUCE, NEWOBJ and BUILD do with whitelisted globals.
enum TorchConstructors {
    /// REDUCE: applies `callable` to `args`.
    static func reduce(_ callable: TorchGlobal, _ args: PickleValue) throws -> PickleValue {
        guard let items = args.tupleItems else { throw FormatError("REDUCE arguments of \(callable.name) are a \(args.kind), not a tuple") }
        func argument(_ i: Int) -> PickleValue { i < items.count ? items[i] : .none }
        func expectCount(_ counts: ClosedRange<Int>) throws {
            guard counts.contains(items.count) else {
                throw FormatError("\(callable.name) takes \(counts.lowerBound)...\(counts.upperBound) arguments, the pickle gives \(items.count)")
            }
        }
        switch callable.kind {
        case .orderedDict:
            let dict = PickleDict()
            if case .list(let pairs) = argument(0) {
                for pair in pairs.items {
                    guard let kv = pair.tupleItems, kv.count == 2 else { throw FormatError("OrderedDict item is not a (key, value) pair") }
                    try dict.set(kv[0], kv[1])
                }
            } else { try expectCount(0...0) }
            return .dict(dict)
        case .rebuildTensor, .rebuildTensorV2, .rebuildTensorV3:
            let counts: ClosedRange<Int> = switch callable.kind {
            case .rebuildTensor: 4...4
            case .rebuildTensorV2: 6...7
            default: 7...8
            }
            try expectCount(counts)
            return .tensor(try tensorRecord(items, dtype: callable.kind.isV3 ? items[6] : nil, name: callable.name))
        case .rebuildParameter, .rebuildParameterWithState:
            try expectCount(3...4)
            guard case .tensor = items[0] else { throw FormatError("\(callable.name) needs a tensor, the pickle gives a \(items[0].kind)") }
            return items[0]
        case .rebuildFromTypeV2:
            try expectCount(4...4)
            guard case .global(let function) = items[0], case .tensorClass = items[1].globalKind else {
                throw FormatError("_rebuild_from_type_v2 is given \(items[0].kind) and \(items[1].kind), not a tensor rebuild and a tensor class")
            }
            switch function.kind {
            case .rebuildTensor, .rebuildTensorV2, .rebuildTensorV3, .rebuildParameter, .rebuildParameterWithState:
                return try reduce(function, items[2])
            default:
                throw FormatError("_rebuild_from_type_v2 is given \(function.name), not a tensor rebuild")
            }
        case .size:
            try expectCount(1...1)
            guard items[0].intList != nil else { throw FormatError("torch.Size is given a \(items[0].kind), not integers") }
            return items[0]
        case .device:
            try expectCount(1...2)
            return .string(items.compactMap { $0.string ?? $0.int.map(String.init) }.joined(separator: ":"))
        case .jitList:
            try expectCount(1...1)
            guard case .list = items[0] else { throw FormatError("\(callable.name) is given a \(items[0].kind), not a list") }
            return items[0]
        case .jitTypeTag:
            try expectCount(2...2)
            return items[0]
        case .tensorClass, .storageClass, .untypedStorage, .dtype, .scriptClass:
            throw FormatError("the pickle calls \(callable.name), which is data here, not a constructor")
        }
    }

    /// NEWOBJ: only TorchScript classes (inert records) and OrderedDict.
    static func newObject(_ cls: TorchGlobal, _ args: PickleValue) throws -> PickleValue {
        switch cls.kind {
        case .scriptClass: return .object(PickleObject(className: cls.name))
        case .orderedDict: return .dict(PickleDict())
        default: throw FormatError("the pickle instantiates \(cls.name) with NEWOBJ, which is not allowed")
        }
    }

    /// BUILD: sets a TorchScript object's state; an OrderedDict's attributes (`_metadata`) are dropped.
    static func build(_ target: PickleValue, state: PickleValue) throws {
        switch target {
        case .object(let object): try object.setState(state)
        case .dict, .tensor: break
        default: throw FormatError("BUILD applied to a \(target.kind)")
        }
    }

    /// The arguments of `_rebuild_tensor[_v2|_v3]`: storage, offset, size, stride (, grad, hooks, [dtype,] metadata).
    private static func tensorRecord(_ items: [PickleValue], dtype: PickleValue?, name: String) throws -> TensorRecord {
        guard case .storage(let slice) = items[0] else { throw FormatError("\(name) is given a \(items[0].kind), not a storage") }
        guard let offset = items[1].int, let size = items[2].intList, let stride = items[3].intList else {
            throw FormatError("\(name) is given an offset, size or stride that is not integers")
        }
        var type = slice.storage.type
        if let dtype {
            guard case .dtype(let t) = dtype.globalKind else { throw FormatError("\(name) is given a \(dtype.kind), not a dtype") }
            guard slice.storage.type == .uint8 || slice.storage.type == t else {
                throw FormatError("\(name) reads a \(slice.storage.type.rawValue) storage as \(t.rawValue)")
            }
            type = t
        }
        return TensorRecord(storage: slice, type: type, offset: offset, size: size, stride: stride)
    }
}

extension TorchGlobal.Kind {
    var isV3: Bool { if case .rebuildTensorV3 = self { true } else { false } }
}

extension PickleValue {
    var globalKind: TorchGlobal.Kind? { if case .global(let g) = self { g.kind } else { nil } }
}
