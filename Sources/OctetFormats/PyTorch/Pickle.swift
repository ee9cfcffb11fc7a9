/// A pickle machine for protocols 2 to 5 that runs only the opcodes PyTorch files use and builds only
/// inert values (see `PickleValue`, `TorchGlobal`). Any other opcode or global is an error that names it.
struct Unpickler {
    /// Names the pickle in error messages (`archive/data.pkl`, `legacy pickle 4`).
    let source: String
    let bytes: [UInt8]
    /// Where the next opcode is; after `load()`, just past STOP.
    private(set) var position: Int
    let allowScriptClasses: Bool
    let persistentLoad: (PickleValue) throws -> PickleValue

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every mutable container this machine pushed, emptied when the last copy of the machine goes away.
    private let containers = PickleContainers()

    /// Bounds on the machine's own memory, far above what real checkpoints need (thousands of items).
    static let maxStack = 1 << 22
    static let maxMemo = 1 << 22

    init(source: String, bytes: [UInt8], start: Int = 0, allowScriptClasses: Bool = false,
         persistentLoad: @escaping (PickleValue) throws -> PickleValue) {
        self.source = source
        self.bytes = bytes
        self.position = start
        self.allowScriptClasses = allowScriptClasses
        self.persistentLoad = persistentLoad
    }

    /// Empties every list, dict and object the loads built (breaking any reference cycle a hostile pickle
    /// made); call once the values are no longer needed.
    func releaseValues() { containers.empty() }

    /// Runs the pickle that starts at `position` to its STOP and returns the value it built.
    mutating func load() throws -> PickleValue {
        stack = []
        marks = []
        memo = [:]
        while true {
            let start = position
            do {
                if let result = try step() { return result }
            } catch let error as FormatError {
                throw FormatError("\(source) byte \(start): \(error.message)")
            }
        }
    }

    // MARK: - Reading operands

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw FormatError("pickle ends early: needs \(count) more bytes, \(bytes.count - position) left")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private mutating func byte() throws -> UInt8 { try take(1).first ?? 0 }

    /// An unsigned little-endian integer of `width` bytes.
    private mutating func unsigned(_ width: Int) throws -> UInt64 {
        try take(width).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A length operand, checked against the bytes left so nothing is allocated for a lie.
    private mutating func length(_ width: Int) throws -> Int {
        let n = try unsigned(width)
        guard n <= UInt64(bytes.count - position) else {
            throw FormatError("length \(n) runs past the end of the pickle (\(bytes.count - position) bytes left)")
        }
        return Int(n)
    }

    private mutating func text(_ count: Int) throws -> String {
        let raw = try take(count)
        guard let s = String(validating: raw, as: UTF8.self) else { throw FormatError("string is not valid UTF-8") }
        return s
    }

    /// Newline-terminated text, as the GLOBAL opcode writes module and name.
    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0a) else { throw FormatError("GLOBAL name has no newline") }
        let s = try text(end - position)
        position += 1
        return s
    }

    /// A LONG1/LONG4 operand: little-endian two's complement.
    private func integer(_ raw: ArraySlice<UInt8>) -> PickleValue {
        guard !raw.isEmpty else { return .int(0) }
        guard raw.count <= 8 else { return .bigInt(Array(raw)) }
        let negative = (raw.last ?? 0) & 0x80 != 0
        var value: UInt64 = negative ? ~0 : 0
        for b in raw.reversed() { value = value << 8 | UInt64(b) }
        return .int(Int(Int64(bitPattern: value)))
    }

    // MARK: - Stack

    private mutating func push(_ value: PickleValue) throws {
        guard stack.count < Self.maxStack else { throw FormatError("pickle stack exceeds \(Self.maxStack) items") }
        containers.register(value)
        stack.append(value)
    }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast() else { throw FormatError("pickle stack underflow") }
        if let mark = marks.last, stack.count < mark { throw FormatError("pickle pops past a MARK") }
        return value
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw FormatError("pickle has no MARK to pop to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func top() throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else { throw FormatError("pickle stack underflow") }
        return value
    }

    private mutating func remember(_ index: Int) throws {
        guard memo.count < Self.maxMemo || memo[index] != nil else { throw FormatError("pickle memo exceeds \(Self.maxMemo) entries") }
        memo[index] = try top()
    }

    private func recall(_ index: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw FormatError("pickle reads memo \(index), which was never stored") }
        return value
    }

    // MARK: - Opcodes

    /// Runs one opcode; returns the result at STOP.
    private mutating func step() throws -> PickleValue? {
        let op = try byte()
        switch op {
        case 0x80: // PROTO
            let version = try byte()
            guard version <= 5 else { throw FormatError("pickle protocol \(version) is newer than 5") }
        case 0x95: // FRAME: a buffering hint; the length must still fit the file
            _ = try length(8)
        case 0x2e: // STOP
            return try pop()
        case 0x28: // MARK
            guard marks.count < Self.maxStack else { throw FormatError("too many MARKs") }
            marks.append(stack.count)
        case 0x7d: try push(.dict(PickleDict())) // EMPTY_DICT
        case 0x5d: try push(.list(PickleList())) // EMPTY_LIST
        case 0x29: try push(.tuple(try PickleTuple([]))) // EMPTY_TUPLE
        case 0x4e: try push(.none) // NONE
        case 0x88: try push(.bool(true)) // NEWTRUE
        case 0x89: try push(.bool(false)) // NEWFALSE
        case 0x4a: try push(.int(Int(Int32(bitPattern: UInt32(try unsigned(4)))))) // BININT
        case 0x4b: try push(.int(Int(try byte()))) // BININT1
        case 0x4d: try push(.int(Int(try unsigned(2)))) // BININT2
        case 0x8a: try push(integer(try take(Int(try byte())))) // LONG1
        case 0x8b: // LONG4
            let n = try length(4)
            guard n <= 256 else { throw FormatError("LONG4 integer of \(n) bytes is too large") }
            try push(integer(try take(n)))
        case 0x47: // BINFLOAT: big-endian
            try push(.float(Double(bitPattern: try take(8).reduce(0) { $0 << 8 | UInt64($1) })))
        case 0x58: try push(.string(try text(try length(4)))) // BINUNICODE
        case 0x8c: try push(.string(try text(Int(try byte())))) // SHORT_BINUNICODE
        case 0x8d: try push(.string(try text(try length(8)))) // BINUNICODE8
        case 0x54: try push(.string(try text(try length(4)))) // BINSTRING (Python 2 str)
        case 0x55: try push(.string(try text(Int(try byte())))) // SHORT_BINSTRING
        case 0x42: try push(.bytes(Array(try take(try length(4))))) // BINBYTES
        case 0x43: try push(.bytes(Array(try take(Int(try byte()))))) // SHORT_BINBYTES
        case 0x8e: try push(.bytes(Array(try take(try length(8))))) // BINBYTES8
        case 0x85: // TUPLE1
            let a = try pop()
            try push(.tuple(try PickleTuple([a])))
        case 0x86: // TUPLE2
            let b = try pop(), a = try pop()
            try push(.tuple(try PickleTuple([a, b])))
        case 0x87: // TUPLE3
            let c = try pop(), b = try pop(), a = try pop()
            try push(.tuple(try PickleTuple([a, b, c])))
        case 0x74: try push(.tuple(try PickleTuple(try popToMark()))) // TUPLE
        case 0x73: // SETITEM
            let value = try pop(), key = try pop()
            try dict(try top()).set(key, value)
        case 0x75: // SETITEMS
            let items = try popToMark()
            guard items.count % 2 == 0 else { throw FormatError("SETITEMS has an odd number of items") }
            let target = try dict(try top())
            for i in stride(from: 0, to: items.count, by: 2) { try target.set(items[i], items[i + 1]) }
        case 0x61: // APPEND
            let value = try pop()
            try list(try top()).append(value)
        case 0x65: // APPENDS
            let items = try popToMark()
            let target = try list(try top())
            for item in items { try target.append(item) }
        case 0x71: try remember(Int(try byte())) // BINPUT
        case 0x72: try remember(Int(try unsigned(4))) // LONG_BINPUT
        case 0x94: try remember(memo.count) // MEMOIZE
        case 0x68: try push(try recall(Int(try byte()))) // BINGET
        case 0x6a: try push(try recall(Int(try unsigned(4)))) // LONG_BINGET
        case 0x30: _ = try pop() // POP
        case 0x31: _ = try popToMark() // POP_MARK
        case 0x32: try push(try top()) // DUP
        case 0x63: // GLOBAL
            let module = try line(), name = try line()
            try push(.global(try global(module: module, name: name)))
        case 0x93: // STACK_GLOBAL
            let name = try pop(), module = try pop()
            guard let m = module.string, let n = name.string else { throw FormatError("STACK_GLOBAL needs two strings") }
            try push(.global(try global(module: m, name: n)))
        case 0x52: // REDUCE
            let args = try pop()
            guard case .global(let callable) = try pop() else { throw FormatError("REDUCE calls something that is not a global") }
            try push(try TorchConstructors.reduce(callable, args))
        case 0x81: // NEWOBJ
            let args = try pop()
            guard case .global(let cls) = try pop() else { throw FormatError("NEWOBJ instantiates something that is not a global") }
            try push(try TorchConstructors.newObject(cls, args))
        case 0x62: // BUILD
            let state = try pop()
            try TorchConstructors.build(try top(), state: state)
        case 0x51: // BINPERSID
            try push(try persistentLoad(try pop()))
        default:
            throw FormatError("unsupported pickle opcode 0x\(String(op, radix: 16))\(Self.printable(op))")
        }
        return nil
    }

    private func global(module: String, name: String) throws -> TorchGlobal {
        guard let g = TorchGlobal.resolve(module: module, name: name, allowScriptClasses: allowScriptClasses) else {
            throw FormatError("refusing pickle global \(module).\(name)")
        }
        return g
    }

    private func dict(_ value: PickleValue) throws -> PickleDict {
        guard case .dict(let d) = value else { throw FormatError("SETITEM on a \(value.kind), not a dict") }
        return d
    }

    private func list(_ value: PickleValue) throws -> PickleList {
        guard case .list(let l) = value else { throw FormatError("APPEND on a \(value.kind), not a list") }
        return l
    }

    private static func printable(_ op: UInt8) -> String {
        (0x21...0x7e).contains(op) ? " ('\(Character(Unicode.Scalar(op)))')" : ""
    }
}
