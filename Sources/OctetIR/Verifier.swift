/// Structural checks a graph must pass before any pass or backend sees it.
extension Graph {
    /// Checks that every input is defined before use, names are unique, and ops have legal arities.
    ///
    /// Then checks each node's attributes on their own (strides positive, perm a permutation, ...) and
    /// runs shape inference, whose rules reject attributes that do not fit the shapes (a group that does
    /// not divide the channels, an axis out of range). Every message names the node.
    public func verify() throws(IRError) {
        var defined: [String: String] = [:]  // value -> what defines it, for messages
        func define(_ name: String, by what: String) throws(IRError) {
            guard !name.isEmpty else { throw IRError.invalidGraph("\(what) has an empty name") }
            if let previous = defined[name] {
                throw IRError.invalidGraph("value \"\(name)\" is defined twice: by \(previous) and by \(what)")
            }
            defined[name] = what
        }
        for input in inputs { try define(input.name, by: "graph input \"\(input.name)\"") }
        for name in initializers.keys.sorted() { try define(name, by: "initializer \"\(name)\"") }

        let producers = producers
        for (index, node) in nodes.enumerated() {
            try node.checkArity()
            for input in node.inputs where !input.isEmpty && defined[input] == nil {
                if let later = producers[input], later > index {
                    throw IRError.invalidGraph("\(node.label) reads \"\(input)\" before \(nodes[later].label) defines it: nodes are not in topological order")
                }
                throw IRError.invalidGraph("\(node.label) reads \"\(input)\", which nothing defines")
            }
            for output in node.outputs where !output.isEmpty { try define(output, by: node.label) }
            try node.checkAttributes()
        }

        var listed = Set<String>()
        for output in outputs {
            guard defined[output.name] != nil else {
                throw IRError.invalidGraph("graph output \"\(output.name)\" is not defined by any input, initializer or node")
            }
            guard listed.insert(output.name).inserted else {
                throw IRError.invalidGraph("graph output \"\(output.name)\" is listed twice")
            }
        }
        _ = try inferringShapes()
    }
}

extension Node {
    /// Attribute checks that need no shapes; shape-dependent ones live in the shape rules.
    func checkAttributes() throws(IRError) {
        func bad(_ message: String) -> IRError { .invalidAttribute("\(label): \(message)") }
        switch op {
        case .conv(let a), .convInteger(let a):
            try checkWindow(kernel: a.kernelShape ?? [], strides: a.strides, pads: a.pads, dilations: a.dilations)
            guard a.group >= 1 else { throw bad("group is \(a.group), must be at least 1") }
        case .convTranspose(let a):
            try checkWindow(kernel: a.conv.kernelShape ?? [], strides: a.conv.strides, pads: a.conv.pads, dilations: a.conv.dilations)
            guard a.conv.group >= 1 else { throw bad("group is \(a.conv.group), must be at least 1") }
            guard a.outputPadding.allSatisfy({ $0 >= 0 }) else { throw bad("output_padding \(a.outputPadding) must not be negative") }
        case .maxPool(let a), .averagePool(let a):
            guard !a.kernelShape.isEmpty else { throw bad("kernel_shape is missing") }
            try checkWindow(kernel: a.kernelShape, strides: a.strides, pads: a.pads, dilations: a.dilations)
        case .gemm(let a):
            guard a.alpha.isFinite, a.beta.isFinite else { throw bad("alpha \(a.alpha) and beta \(a.beta) must be finite") }
        case .leakyRelu(let alpha):
            guard alpha.isFinite else { throw bad("alpha is \(alpha)") }
        case .hardSigmoid(let alpha, let beta):
            guard alpha.isFinite, beta.isFinite else { throw bad("alpha \(alpha) and beta \(beta) must be finite") }
        case .batchNormalization(let epsilon):
            guard epsilon.isFinite, epsilon >= 0 else { throw bad("epsilon is \(epsilon), must be a non-negative number") }
        case .transpose(let perm):
            if let perm, perm.sorted() != Array(0..<perm.count) {
                throw bad("perm \(perm) is not a permutation of 0..<\(perm.count)")
            }
        case .split(_, let numOutputs):
            if let numOutputs, numOutputs != outputs.count {
                throw bad("num_outputs is \(numOutputs) but the node has \(outputs.count) outputs")
            }
        case .resize(let a):
            if let axes = a.axes, Set(axes).count != axes.count { throw bad("axes \(axes) repeat an axis") }
        case .constantOfShape(let value):
            guard value.count == 1 else { throw bad("value has \(value.count) elements, needs 1") }
        case .matMul, .binary, .unary, .clip, .softmax, .globalAveragePool, .globalMaxPool, .reduceMean, .concat,
             .reshape, .flatten, .squeeze, .unsqueeze, .pad, .slice, .gather, .shape, .expand, .range, .constant, .identity,
             .dropout, .cast, .quantizeLinear, .dequantizeLinear, .matMulInteger, .qlinearGlobalAveragePool,
             .dynamicQuantizeLinear:
            break
        case .requantize(let a):
            try a.bounds.check(bad)
        case .qlinearAdd(let b):
            try b.check(bad)  // axes and ranks are checked against shapes by the shape rules
        }
    }

    private func checkWindow(kernel: [Int], strides: [Int], pads: [Int], dilations: [Int]) throws(IRError) {
        func bad(_ message: String) -> IRError { .invalidAttribute("\(label): \(message)") }
        guard kernel.allSatisfy({ $0 >= 1 }) else { throw bad("kernel_shape \(kernel) must be positive") }
        guard strides.allSatisfy({ $0 >= 1 }) else { throw bad("strides \(strides) must be positive") }
        guard dilations.allSatisfy({ $0 >= 1 }) else { throw bad("dilations \(dilations) must be positive") }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw bad("pads \(pads) must not be negative") }
        guard pads.count % 2 == 0 else { throw bad("pads has \(pads.count) entries, needs begin and end for each axis") }
    }
}

extension IntegerBounds {
    fileprivate func check(_ bad: (String) -> IRError) throws(IRError) {
        if let lower, let upper, lower > upper { throw bad("lower bound \(lower) is above upper bound \(upper)") }
    }
}
